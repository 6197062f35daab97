-- News items (issue 9): bilingual stories with credits, an editorial workflow and a published
-- snapshot; the workflow history; photo captions. Timestamps UTC RFC 3339 text.

CREATE TABLE news (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT UNIQUE,
    status TEXT NOT NULL,
    title_en TEXT, title_zh TEXT, title_local TEXT,
    summary_en TEXT, summary_zh TEXT, summary_local TEXT,
    body_en TEXT, body_zh TEXT, body_local TEXT,
    published_on TEXT,
    -- Tags, linked events and institutions, credits as JSON arrays (the record as read and audited).
    tags TEXT NOT NULL DEFAULT '[]',
    event_ids TEXT NOT NULL DEFAULT '[]',
    institution_ids TEXT NOT NULL DEFAULT '[]',
    credits TEXT NOT NULL DEFAULT '[]',
    author_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- What the public sees: the last published version as JSON, with its date and tags for the
    -- public list (NULL while never published or after a withdrawal).
    published TEXT,
    public_on TEXT,
    public_tags TEXT,
    search_text TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX news_status ON news (status, updated_at);
CREATE INDEX news_public ON news (public_on, id);
CREATE INDEX news_sort_name ON news (sort_name, id);

-- Who moved each step, when, with what comment (also creation and edits).
CREATE TABLE news_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    news_id INTEGER NOT NULL REFERENCES news (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    comment TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX news_history_news ON news_history (news_id, id);

-- Caption and photographer of a story's photo (the file is a `documents` row of owner kind news).
CREATE TABLE news_photos (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    news_id INTEGER NOT NULL REFERENCES news (id) ON DELETE CASCADE,
    caption_en TEXT, caption_zh TEXT,
    photographer TEXT
);
CREATE INDEX news_photos_news ON news_photos (news_id);

CREATE VIRTUAL TABLE news_search USING fts5(
    search_text, content = 'news', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER news_search_insert AFTER INSERT ON news BEGIN
    INSERT INTO news_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER news_search_delete AFTER DELETE ON news BEGIN
    INSERT INTO news_search (news_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER news_search_update AFTER UPDATE OF search_text ON news BEGIN
    INSERT INTO news_search (news_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO news_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
