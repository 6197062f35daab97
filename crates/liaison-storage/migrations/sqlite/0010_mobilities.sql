-- Mobility records (issue 7, "whole-process service"): one person's stay, outgoing or incoming,
-- from nomination to recognition. `start_on`/`end_on` are derived on write (actual date if known,
-- else planned) so that "abroad on a day" and the year filter read one indexed pair of columns.
-- `search_text` holds the person's and both institutions' names (all languages) at write time.

CREATE TABLE mobilities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE RESTRICT,
    direction TEXT NOT NULL,
    mobility_type TEXT NOT NULL,
    level TEXT,
    home_institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE RESTRICT,
    host_institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE RESTRICT,
    org_unit_id INTEGER REFERENCES org_units (id) ON DELETE SET NULL,
    agreement_id INTEGER REFERENCES agreements (id) ON DELETE SET NULL,
    condition_id INTEGER REFERENCES cooperation_conditions (id) ON DELETE SET NULL,
    academic_year TEXT NOT NULL,
    planned_start TEXT NOT NULL,
    planned_end TEXT NOT NULL,
    actual_start TEXT,
    actual_end TEXT,
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    status TEXT NOT NULL,
    arrival_confirmed_at TEXT,
    return_confirmed_at TEXT,
    emergency_contact_name TEXT,
    emergency_contact_phone TEXT,
    emergency_contact_relation TEXT,
    notes TEXT,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX mobilities_status ON mobilities (status, start_on);
CREATE INDEX mobilities_direction ON mobilities (direction, start_on);
CREATE INDEX mobilities_start ON mobilities (start_on, end_on);
CREATE INDEX mobilities_year ON mobilities (academic_year);
CREATE INDEX mobilities_home ON mobilities (home_institution_id, start_on);
CREATE INDEX mobilities_host ON mobilities (host_institution_id, start_on);
CREATE INDEX mobilities_person ON mobilities (person_id);
CREATE INDEX mobilities_unit ON mobilities (org_unit_id, start_on);
CREATE INDEX mobilities_condition ON mobilities (condition_id, academic_year);

CREATE VIRTUAL TABLE mobilities_search USING fts5(
    search_text, content = 'mobilities', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER mobilities_search_insert AFTER INSERT ON mobilities BEGIN
    INSERT INTO mobilities_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER mobilities_search_delete AFTER DELETE ON mobilities BEGIN
    INSERT INTO mobilities_search (mobilities_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER mobilities_search_update AFTER UPDATE OF search_text ON mobilities BEGIN
    INSERT INTO mobilities_search (mobilities_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO mobilities_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
