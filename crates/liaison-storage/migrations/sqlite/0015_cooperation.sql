-- University–enterprise cooperation, continued: programme lines per year of a university–enterprise
-- agreement (kind, owner, target, actual, status).

CREATE TABLE programme_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    description_en TEXT, description_zh TEXT, description_local TEXT,
    owner_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target INTEGER NOT NULL,
    actual INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX programme_lines_agreement ON programme_lines (agreement_id, year, id);
CREATE INDEX programme_lines_year ON programme_lines (year, kind);

-- A field trip's position is linked to the event of the visit (its placements are the group).
ALTER TABLE positions ADD COLUMN event_id INTEGER REFERENCES events (id) ON DELETE SET NULL;
CREATE INDEX positions_event ON positions (event_id);

-- Recruitment campaigns with partners (international student recruitment).
CREATE TABLE recruitment_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    channel TEXT NOT NULL,
    target_countries TEXT NOT NULL DEFAULT '[]',
    start_on TEXT,
    end_on TEXT,
    leads INTEGER NOT NULL DEFAULT 0,
    conversions INTEGER NOT NULL DEFAULT 0,
    notes_en TEXT, notes_zh TEXT, notes_local TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recruitment_campaigns_institution ON recruitment_campaigns (institution_id, start_on);
