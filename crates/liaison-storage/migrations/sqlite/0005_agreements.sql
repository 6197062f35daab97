-- Agreements with their parties, signatories, subject areas (ISCED-F 2013 codes) and
-- cooperation conditions (the quotas). Dates are ISO 8601 text (YYYY-MM-DD); timestamps UTC
-- RFC 3339 text with microseconds, as everywhere. Booleans are integers.

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    summary_en TEXT, summary_zh TEXT, summary_local TEXT,
    signed_on TEXT,
    start_on TEXT,
    end_on TEXT,
    -- Parties, signatories and subject areas as JSON arrays: the record as read and audited.
    -- `agreement_parties`, `agreement_signatories` and `agreement_subjects` index them (written
    -- in the same transaction) for filters, scopes and the institution page.
    parties TEXT NOT NULL DEFAULT '[]',
    signatories TEXT NOT NULL DEFAULT '[]',
    subject_areas TEXT NOT NULL DEFAULT '[]',
    auto_renew INTEGER NOT NULL DEFAULT 0,
    -- The EWP inter-institutional agreement id, once the agreement is exchanged over EWP.
    iia_id TEXT,
    -- The agreement this one renews (a renewal is a new record; the old one becomes 'renewed').
    previous_id INTEGER REFERENCES agreements (id),
    owner_user_id INTEGER REFERENCES users (id),
    -- When the owner was last reminded of the coming end date (NULL: not yet).
    reminded_at TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX agreements_sort_name ON agreements (sort_name, id);
CREATE INDEX agreements_status ON agreements (status, end_on);
CREATE INDEX agreements_kind ON agreements (kind, sort_name);
CREATE INDEX agreements_end ON agreements (end_on);
CREATE INDEX agreements_previous ON agreements (previous_id);
CREATE INDEX agreements_owner ON agreements (owner_user_id);

-- Parties in the order given: an institution, optionally narrowed to one of its units. Units and
-- signatories carry no foreign key (deleting a contact or unit must not fail); institutions do
-- (deleting a party institution is refused while it has agreements).
CREATE TABLE agreement_parties (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    org_unit_id INTEGER,
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_parties_institution ON agreement_parties (institution_id, agreement_id);

CREATE TABLE agreement_signatories (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_signatories_person ON agreement_signatories (person_id);

CREATE TABLE agreement_subjects (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    isced_code TEXT NOT NULL,
    PRIMARY KEY (agreement_id, position)
);
CREATE INDEX agreement_subjects_code ON agreement_subjects (isced_code);

-- One quota of an agreement. `direction` is 'outgoing', 'incoming' or 'both' when the sending
-- and receiving institutions are not given; `subject_areas` is a JSON array of ISCED-F codes.
CREATE TABLE cooperation_conditions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    mobility_type TEXT NOT NULL,
    direction TEXT,
    sending_institution_id INTEGER REFERENCES institutions (id),
    receiving_institution_id INTEGER REFERENCES institutions (id),
    first_year TEXT,
    last_year TEXT,
    places_per_year INTEGER NOT NULL,
    months_per_place REAL,
    days_per_place INTEGER,
    study_level TEXT,
    subject_areas TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    language_level TEXT,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cooperation_conditions_agreement ON cooperation_conditions (agreement_id, id);

CREATE VIRTUAL TABLE agreements_search USING fts5(
    search_text, content = 'agreements', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER agreements_search_insert AFTER INSERT ON agreements BEGIN
    INSERT INTO agreements_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER agreements_search_delete AFTER DELETE ON agreements BEGIN
    INSERT INTO agreements_search (agreements_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER agreements_search_update AFTER UPDATE OF search_text ON agreements BEGIN
    INSERT INTO agreements_search (agreements_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO agreements_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
