-- A consent to share that the young person withdrew (issue 19). The row is kept, with
-- when (YYYY-MM-DD), why and by whom, so the plan shows its history; from then on it no
-- longer opens the plan to its organisation. Keep in step with the other backend's file.
ALTER TABLE recovery_plan_consents ADD COLUMN withdrawn_on TEXT;
ALTER TABLE recovery_plan_consents ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE recovery_plan_consents ADD COLUMN withdrawn_by BIGINT REFERENCES users(id);
ALTER TABLE recovery_plan_consents ADD COLUMN withdrawn_at BIGINT;
