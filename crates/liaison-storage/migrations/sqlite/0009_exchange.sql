-- The exchange cycle (issue 7): calls for exchange places, students' applications with ranked
-- choices, and allocation runs (frozen input and the engine's result). A call's places and an
-- application's choices are JSON arrays (condition ids), read and audited with the record.

CREATE TABLE calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    academic_year TEXT NOT NULL,
    deadline TEXT,
    max_choices INTEGER NOT NULL,
    places TEXT NOT NULL DEFAULT '[]',
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX calls_year ON calls (academic_year, id);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    choices TEXT NOT NULL DEFAULT '[]',
    score INTEGER,
    status TEXT NOT NULL,
    ineligible_reason TEXT,
    allocated_condition_id INTEGER,
    explanation TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (call_id, person_id)
);
CREATE INDEX applications_person ON applications (person_id, id);

CREATE TABLE allocation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX allocation_runs_call ON allocation_runs (call_id, id);
