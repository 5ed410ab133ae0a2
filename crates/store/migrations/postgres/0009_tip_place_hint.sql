-- Public tips used to store a sentence the product wrote, "Where it happened, as given by
-- the reporter", as the additional information of the tip's place, so it showed and was
-- exported as if the reporter had written it. The tip form now stores only what the
-- person entered (the report page explains the field), and this removes that sentence
-- from the tips already stored: exactly that value, written by the product, in that
-- member of the stored report and of its search text, and only on public tips, so
-- nothing a reporter or a provider wrote is touched. Keep in step with the other backend.
UPDATE reports
SET report_json = REPLACE(report_json,
        '"additional_info":"Where it happened, as given by the reporter"}',
        '"additional_info":null}'),
    search_text = REPLACE(search_text,
        '"additional_info":"where it happened, as given by the reporter"}',
        '"additional_info":null}')
WHERE source = 'public'
  AND report_json LIKE '%"additional_info":"Where it happened, as given by the reporter"}%';
