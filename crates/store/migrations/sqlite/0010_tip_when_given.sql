-- Public tips used to store a sentence the product wrote as the incident's date-time
-- description: "Date given by the reporter; time not given" when the reporter gave no
-- time, "Not given by the reporter; this is when the tip was received" when they gave no
-- date, and imported tips prefixed the reporter's own words with "As the reporter put it: ".
-- It was exported in the CyberTipline XML as if the reporter had written it. How the date
-- was given is now a fact beside the report, `when_given` (date_and_time, date_only,
-- in_words, not_given; NULL for a provider's report, whose time is the provider's), and the
-- report page explains it. This removes exactly those sentences (in the stored report and
-- its lower-cased search text, only on public tips) and sets the fact. Keep in step with
-- the other backend.
ALTER TABLE reports ADD COLUMN when_given TEXT;

UPDATE reports
SET when_given = 'date_only',
    report_json = REPLACE(report_json,
        '"incident_date_time_description":"Date given by the reporter; time not given"',
        '"incident_date_time_description":null'),
    search_text = REPLACE(search_text,
        '"incident_date_time_description":"date given by the reporter; time not given"',
        '"incident_date_time_description":null')
WHERE source = 'public'
  AND report_json LIKE '%"incident_date_time_description":"Date given by the reporter; time not given"%';

UPDATE reports
SET when_given = 'not_given',
    report_json = REPLACE(report_json,
        '"incident_date_time_description":"Not given by the reporter; this is when the tip was received"',
        '"incident_date_time_description":null'),
    search_text = REPLACE(search_text,
        '"incident_date_time_description":"not given by the reporter; this is when the tip was received"',
        '"incident_date_time_description":null')
WHERE source = 'public'
  AND report_json LIKE '%"incident_date_time_description":"Not given by the reporter; this is when the tip was received"%';

UPDATE reports
SET when_given = 'in_words',
    report_json = REPLACE(report_json,
        '"incident_date_time_description":"As the reporter put it: ',
        '"incident_date_time_description":"'),
    search_text = REPLACE(search_text,
        '"incident_date_time_description":"as the reporter put it: ',
        '"incident_date_time_description":"')
WHERE source = 'public'
  AND report_json LIKE '%"incident_date_time_description":"As the reporter put it: %';

-- The remaining public tips carried no note: the reporter gave both.
UPDATE reports SET when_given = 'date_and_time' WHERE source = 'public' AND when_given IS NULL;
