-- The exchange cycle, second part (issue 7): a call's opening day, description, eligibility rules
-- and scoring rule (JSON objects, read and audited with the call); an application's facts
-- (GPA, language level and certificate, year of study, major, as JSON), interview score and the
-- rules it fails; allocation runs as previews that are published, by round, guarded by the call's
-- version; staff overrides of a condition's places for one academic year, with their reason.

ALTER TABLE calls ADD COLUMN description_en TEXT;
ALTER TABLE calls ADD COLUMN description_zh TEXT;
ALTER TABLE calls ADD COLUMN description_local TEXT;
ALTER TABLE calls ADD COLUMN opens_on TEXT;
ALTER TABLE calls ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE calls ADD COLUMN scoring TEXT NOT NULL DEFAULT '{"gpa_weight":50,"language_weight":20,"interview_weight":30,"gpa_max":4.0}';

ALTER TABLE applications ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE applications ADD COLUMN interview_score INTEGER;
ALTER TABLE applications ADD COLUMN failed_rules TEXT NOT NULL DEFAULT '[]';
-- Scores were whole points; they are hundredths now.
UPDATE applications SET score = score * 100 WHERE score IS NOT NULL;
CREATE INDEX applications_quota ON applications (allocated_condition_id, status);

ALTER TABLE allocation_runs ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE allocation_runs ADD COLUMN frozen TEXT NOT NULL DEFAULT '{}';
ALTER TABLE allocation_runs ADD COLUMN call_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE allocation_runs ADD COLUMN published_at TEXT;
ALTER TABLE allocation_runs ADD COLUMN published_by TEXT;
-- Runs stored before previews existed changed the applications at once: they count as published.
UPDATE allocation_runs SET published_at = created_at, published_by = created_by;

CREATE TABLE quota_overrides (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    condition_id INTEGER NOT NULL REFERENCES cooperation_conditions (id) ON DELETE CASCADE,
    academic_year TEXT NOT NULL,
    places INTEGER NOT NULL,
    reason TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (condition_id, academic_year)
);
