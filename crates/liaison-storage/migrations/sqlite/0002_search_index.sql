-- Substring search over search_text through an FTS5 trigram index per searchable table, kept
-- in step by triggers (so every write path, present and future, updates it in the same
-- transaction). Queries of three or more characters use it; shorter ones scan.

CREATE VIRTUAL TABLE institutions_search USING fts5(
    search_text, content = 'institutions', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO institutions_search (institutions_search) VALUES ('rebuild');
CREATE TRIGGER institutions_search_insert AFTER INSERT ON institutions BEGIN
    INSERT INTO institutions_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER institutions_search_delete AFTER DELETE ON institutions BEGIN
    INSERT INTO institutions_search (institutions_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER institutions_search_update AFTER UPDATE OF search_text ON institutions BEGIN
    INSERT INTO institutions_search (institutions_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO institutions_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE VIRTUAL TABLE org_units_search USING fts5(
    search_text, content = 'org_units', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO org_units_search (org_units_search) VALUES ('rebuild');
CREATE TRIGGER org_units_search_insert AFTER INSERT ON org_units BEGIN
    INSERT INTO org_units_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER org_units_search_delete AFTER DELETE ON org_units BEGIN
    INSERT INTO org_units_search (org_units_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER org_units_search_update AFTER UPDATE OF search_text ON org_units BEGIN
    INSERT INTO org_units_search (org_units_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO org_units_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE VIRTUAL TABLE people_search USING fts5(
    search_text, content = 'people', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO people_search (people_search) VALUES ('rebuild');
CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_search (people_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF search_text ON people BEGIN
    INSERT INTO people_search (people_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO people_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
