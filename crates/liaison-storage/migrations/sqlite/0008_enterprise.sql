-- University–enterprise cooperation: positions, skill profiles (with their skills indexed for
-- matching), placements and employment outcomes. Skills, majors and languages are JSON arrays
-- (the record as read and audited); `profile_skills` indexes the profiles' skills (written in the
-- same transaction) so that matching reads only students who share a wanted skill.

CREATE TABLE positions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    description_en TEXT, description_zh TEXT, description_local TEXT,
    skills TEXT NOT NULL DEFAULT '[]',
    majors TEXT NOT NULL DEFAULT '[]',
    seats INTEGER NOT NULL,
    start_on TEXT,
    end_on TEXT,
    deadline TEXT,
    city_en TEXT, city_zh TEXT, city_local TEXT,
    country TEXT,
    remote INTEGER NOT NULL DEFAULT 0,
    language TEXT,
    language_level TEXT,
    status TEXT NOT NULL,
    vetting_note_en TEXT, vetting_note_zh TEXT, vetting_note_local TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX positions_institution ON positions (institution_id, status);
CREATE INDEX positions_status ON positions (status, deadline);
CREATE INDEX positions_sort_name ON positions (sort_name, id);

CREATE TABLE skill_profiles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL UNIQUE REFERENCES people (id) ON DELETE CASCADE,
    major TEXT,
    year_of_study INTEGER,
    skills TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    interests_en TEXT, interests_zh TEXT, interests_local TEXT,
    available_from TEXT,
    consent INTEGER NOT NULL DEFAULT 0,
    consent_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX skill_profiles_consent ON skill_profiles (consent, id);

CREATE TABLE profile_skills (
    profile_id INTEGER NOT NULL REFERENCES skill_profiles (id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL,
    PRIMARY KEY (profile_id, skill)
);
CREATE INDEX profile_skills_skill ON profile_skills (skill, profile_id);

CREATE TABLE placements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position_id INTEGER NOT NULL REFERENCES positions (id),
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    start_on TEXT,
    end_on TEXT,
    enterprise_supervisor TEXT,
    university_supervisor TEXT,
    evaluation_en TEXT, evaluation_zh TEXT, evaluation_local TEXT,
    event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
    note_en TEXT, note_zh TEXT, note_local TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX placements_position ON placements (position_id, status);
CREATE INDEX placements_person ON placements (person_id);

CREATE TABLE employment_outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    cohort INTEGER NOT NULL,
    destination TEXT NOT NULL,
    employer_en TEXT, employer_zh TEXT, employer_local TEXT,
    employer_institution_id INTEGER REFERENCES institutions (id) ON DELETE SET NULL,
    sector TEXT,
    city_en TEXT, city_zh TEXT, city_local TEXT,
    country TEXT,
    major TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX employment_outcomes_cohort ON employment_outcomes (cohort, sector);
CREATE INDEX employment_outcomes_employer ON employment_outcomes (employer_institution_id);

CREATE VIRTUAL TABLE positions_search USING fts5(
    search_text, content = 'positions', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER positions_search_insert AFTER INSERT ON positions BEGIN
    INSERT INTO positions_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER positions_search_delete AFTER DELETE ON positions BEGIN
    INSERT INTO positions_search (positions_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER positions_search_update AFTER UPDATE OF search_text ON positions BEGIN
    INSERT INTO positions_search (positions_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO positions_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
