-- Closing a recovery plan (issue 25): the team closes it when the work with the young
-- person ends, never because of age. `closed_at` (0025) starts the retention period;
-- these say why and who. Reopening clears all three. The team's note, if any, is kept in
-- the plan's narrative (team only), not here. Keep in step with the other backend's
-- 0026_plan_closing.sql.
-- goals_met | their_choice | transferred | moved_away | no_contact | other
ALTER TABLE recovery_plans ADD COLUMN closed_reason TEXT;
ALTER TABLE recovery_plans ADD COLUMN closed_by BIGINT REFERENCES users(id);
CREATE INDEX recovery_plans_closed ON recovery_plans (closed_at);
