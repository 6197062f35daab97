-- Events with their participants and outcomes, follow-up action items, and uploaded documents.
-- Dates are ISO 8601 text (YYYY-MM-DD); timestamps UTC RFC 3339 text with microseconds.

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    venue_en TEXT, venue_zh TEXT, venue_local TEXT,
    host_unit_id INTEGER REFERENCES org_units (id) ON DELETE SET NULL,
    summary_en TEXT, summary_zh TEXT, summary_local TEXT,
    -- Participants, agreement links, consensus points and honours as JSON arrays: the record as
    -- read and audited. `event_participants` and `event_agreements` index the first two (written
    -- in the same transaction) for filters and the partner scope.
    participants TEXT NOT NULL DEFAULT '[]',
    agreement_ids TEXT NOT NULL DEFAULT '[]',
    consensus TEXT NOT NULL DEFAULT '[]',
    honours TEXT NOT NULL DEFAULT '[]',
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_start ON events (start_on, id);
CREATE INDEX events_kind ON events (kind, start_on);
CREATE INDEX events_sort_name ON events (sort_name, id);

CREATE TABLE event_participants (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,
    institution_id INTEGER REFERENCES institutions (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX event_participants_institution ON event_participants (institution_id, event_id);
CREATE INDEX event_participants_person ON event_participants (person_id);

CREATE TABLE event_agreements (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (event_id, agreement_id)
);
CREATE INDEX event_agreements_agreement ON event_agreements (agreement_id);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    owner_user_id INTEGER REFERENCES users (id),
    due_on TEXT,
    status TEXT NOT NULL,
    event_id INTEGER REFERENCES events (id) ON DELETE SET NULL,
    agreement_id INTEGER REFERENCES agreements (id) ON DELETE SET NULL,
    notes_en TEXT, notes_zh TEXT, notes_local TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX action_items_owner ON action_items (owner_user_id, due_on);
CREATE INDEX action_items_event ON action_items (event_id);
CREATE INDEX action_items_agreement ON action_items (agreement_id);
CREATE INDEX action_items_due ON action_items (due_on, id);

-- Uploaded files of agreements and events. The bytes live content-addressed in the shared files
-- directory (`files/ab/cdef…` by SHA-256); this row is the metadata every node sees.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_kind TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    thumbnail_sha256 TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX documents_owner ON documents (owner_kind, owner_id, id);
CREATE INDEX documents_sha ON documents (sha256);

CREATE VIRTUAL TABLE events_search USING fts5(
    search_text, content = 'events', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_search (events_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER events_search_update AFTER UPDATE OF search_text ON events BEGIN
    INSERT INTO events_search (events_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO events_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE VIRTUAL TABLE action_items_search USING fts5(
    search_text, content = 'action_items', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER action_items_search_insert AFTER INSERT ON action_items BEGIN
    INSERT INTO action_items_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER action_items_search_delete AFTER DELETE ON action_items BEGIN
    INSERT INTO action_items_search (action_items_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER action_items_search_update AFTER UPDATE OF search_text ON action_items BEGIN
    INSERT INTO action_items_search (action_items_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO action_items_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
