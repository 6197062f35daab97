-- The leadership report (issue 8) reads mobilities by start date with these columns only: one
-- covering index lets every report query scan the index instead of visiting each row.
CREATE INDEX mobilities_report ON mobilities (
    start_on, status, direction, mobility_type, level, org_unit_id,
    host_institution_id, home_institution_id, agreement_id
);
