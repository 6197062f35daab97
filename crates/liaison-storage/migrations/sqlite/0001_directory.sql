-- Partner directory, accounts, sessions, API tokens and the audit log.
-- Timestamps are UTC RFC 3339 text with microseconds (sortable as text, identical on both engines).
-- AUTOINCREMENT: ids are never reused, so audit entries keep pointing at one record forever.

CREATE TABLE institutions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name_en TEXT, name_zh TEXT, name_local TEXT,
    country TEXT NOT NULL,
    city_en TEXT, city_zh TEXT, city_local TEXT,
    website TEXT,
    status TEXT NOT NULL,
    region_tags TEXT NOT NULL DEFAULT '',
    hei_id TEXT UNIQUE,
    erasmus_code TEXT,
    social_credit_code TEXT,
    profile_en TEXT, profile_zh TEXT, profile_local TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX institutions_sort_name ON institutions (sort_name, id);
CREATE INDEX institutions_country ON institutions (country, sort_name);
CREATE INDEX institutions_kind ON institutions (kind, sort_name);
CREATE INDEX institutions_status ON institutions (status, sort_name);
CREATE INDEX institutions_updated ON institutions (updated_at);

CREATE TABLE org_units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    parent_id INTEGER REFERENCES org_units (id),
    kind TEXT NOT NULL,
    name_en TEXT, name_zh TEXT, name_local TEXT,
    ounit_id TEXT,
    website TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (institution_id, ounit_id)
);
CREATE INDEX org_units_institution ON org_units (institution_id, sort_name);
CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_en TEXT, name_zh TEXT, name_local TEXT,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    institution_id INTEGER REFERENCES institutions (id),
    org_unit_id INTEGER REFERENCES org_units (id),
    emails TEXT NOT NULL DEFAULT '[]',
    phones TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_institution ON people (institution_id, sort_name);
CREATE INDEX people_org_unit ON people (org_unit_id);
CREATE INDEX people_sort_name ON people (sort_name, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT,
    person_id INTEGER REFERENCES people (id),
    institution_id INTEGER REFERENCES institutions (id),
    preferred_lang TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE user_units (
    user_id INTEGER NOT NULL REFERENCES users (id),
    org_unit_id INTEGER NOT NULL REFERENCES org_units (id),
    PRIMARY KEY (user_id, org_unit_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);
