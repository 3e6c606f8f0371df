-- Statistics (issue 10): the province-wide counts select alarm episodes by start time across all
-- enterprises; alarm_company_time leads with company_code and serves one enterprise only.
-- (warning_event_first and video_event_started already serve the other two metrics.)
CREATE INDEX alarm_start ON alarm (start_ts);
-- Open episodes by enterprise for the overview's markers and counts.
CREATE INDEX alarm_open_company ON alarm (company_code) WHERE end_ts IS NULL;
