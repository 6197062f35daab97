-- The leadership report (issue 8) reads counts, not mobilities. Two summary tables hold the number
-- of stays that are not cancelled per year (of `start_on`) × direction × mobility type × level ×
-- (org unit | partner institution) × agreement; "none" is stored as '' (level) or 0 (unit,
-- agreement) so that every key column can be part of the primary key. The partner is the other
-- side: the host of an outgoing stay, the home institution of an incoming one. Triggers keep both
-- tables in step with every write to `mobilities` (inserts, edits, status changes, deletes, and
-- the `SET NULL` of a deleted unit or agreement), in the writer's transaction. Backups leave these
-- tables out: a restore refills them through the same triggers.

CREATE TABLE mobility_counts_by_unit (
    org_unit_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    direction TEXT NOT NULL,
    mobility_type TEXT NOT NULL,
    level TEXT NOT NULL,
    agreement_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (org_unit_id, year, direction, mobility_type, level, agreement_id)
) WITHOUT ROWID;

CREATE TABLE mobility_counts_by_partner (
    partner_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    direction TEXT NOT NULL,
    mobility_type TEXT NOT NULL,
    level TEXT NOT NULL,
    agreement_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (partner_id, year, direction, mobility_type, level, agreement_id)
) WITHOUT ROWID;

INSERT INTO mobility_counts_by_unit
    (org_unit_id, year, direction, mobility_type, level, agreement_id, n)
SELECT COALESCE(org_unit_id, 0), CAST(substr(start_on, 1, 4) AS INTEGER), direction,
       mobility_type, COALESCE(level, ''), COALESCE(agreement_id, 0), COUNT(*)
FROM mobilities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO mobility_counts_by_partner
    (partner_id, year, direction, mobility_type, level, agreement_id, n)
SELECT CASE WHEN direction = 'outgoing' THEN host_institution_id ELSE home_institution_id END,
       CAST(substr(start_on, 1, 4) AS INTEGER), direction, mobility_type, COALESCE(level, ''),
       COALESCE(agreement_id, 0), COUNT(*)
FROM mobilities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER mobility_counts_insert AFTER INSERT ON mobilities
WHEN new.status <> 'cancelled'
BEGIN
    INSERT INTO mobility_counts_by_unit
        (org_unit_id, year, direction, mobility_type, level, agreement_id, n)
    VALUES (COALESCE(new.org_unit_id, 0), CAST(substr(new.start_on, 1, 4) AS INTEGER),
            new.direction, new.mobility_type, COALESCE(new.level, ''),
            COALESCE(new.agreement_id, 0), 1)
    ON CONFLICT (org_unit_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = n + 1;
    INSERT INTO mobility_counts_by_partner
        (partner_id, year, direction, mobility_type, level, agreement_id, n)
    VALUES (CASE WHEN new.direction = 'outgoing' THEN new.host_institution_id
                 ELSE new.home_institution_id END,
            CAST(substr(new.start_on, 1, 4) AS INTEGER), new.direction, new.mobility_type,
            COALESCE(new.level, ''), COALESCE(new.agreement_id, 0), 1)
    ON CONFLICT (partner_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER mobility_counts_delete AFTER DELETE ON mobilities
WHEN old.status <> 'cancelled'
BEGIN
    UPDATE mobility_counts_by_unit SET n = n - 1
    WHERE org_unit_id = COALESCE(old.org_unit_id, 0)
      AND year = CAST(substr(old.start_on, 1, 4) AS INTEGER) AND direction = old.direction
      AND mobility_type = old.mobility_type AND level = COALESCE(old.level, '')
      AND agreement_id = COALESCE(old.agreement_id, 0);
    UPDATE mobility_counts_by_partner SET n = n - 1
    WHERE partner_id = CASE WHEN old.direction = 'outgoing' THEN old.host_institution_id
                            ELSE old.home_institution_id END
      AND year = CAST(substr(old.start_on, 1, 4) AS INTEGER) AND direction = old.direction
      AND mobility_type = old.mobility_type AND level = COALESCE(old.level, '')
      AND agreement_id = COALESCE(old.agreement_id, 0);
    DELETE FROM mobility_counts_by_unit WHERE n = 0 AND org_unit_id = COALESCE(old.org_unit_id, 0);
    DELETE FROM mobility_counts_by_partner WHERE n = 0
      AND partner_id = CASE WHEN old.direction = 'outgoing' THEN old.host_institution_id
                            ELSE old.home_institution_id END;
END;

-- An edit that moves a stay to other counts: out of the old ones, into the new ones.
CREATE TRIGGER mobility_counts_update AFTER UPDATE OF
    start_on, status, direction, mobility_type, level, org_unit_id, agreement_id,
    home_institution_id, host_institution_id
ON mobilities
WHEN substr(old.start_on, 1, 4) IS NOT substr(new.start_on, 1, 4)
  OR (old.status = 'cancelled') IS NOT (new.status = 'cancelled')
  OR old.direction IS NOT new.direction OR old.mobility_type IS NOT new.mobility_type
  OR old.level IS NOT new.level OR old.org_unit_id IS NOT new.org_unit_id
  OR old.agreement_id IS NOT new.agreement_id
  OR old.home_institution_id IS NOT new.home_institution_id
  OR old.host_institution_id IS NOT new.host_institution_id
BEGIN
    UPDATE mobility_counts_by_unit SET n = n - 1
    WHERE old.status <> 'cancelled' AND org_unit_id = COALESCE(old.org_unit_id, 0)
      AND year = CAST(substr(old.start_on, 1, 4) AS INTEGER) AND direction = old.direction
      AND mobility_type = old.mobility_type AND level = COALESCE(old.level, '')
      AND agreement_id = COALESCE(old.agreement_id, 0);
    UPDATE mobility_counts_by_partner SET n = n - 1
    WHERE old.status <> 'cancelled'
      AND partner_id = CASE WHEN old.direction = 'outgoing' THEN old.host_institution_id
                            ELSE old.home_institution_id END
      AND year = CAST(substr(old.start_on, 1, 4) AS INTEGER) AND direction = old.direction
      AND mobility_type = old.mobility_type AND level = COALESCE(old.level, '')
      AND agreement_id = COALESCE(old.agreement_id, 0);
    DELETE FROM mobility_counts_by_unit WHERE n = 0 AND org_unit_id = COALESCE(old.org_unit_id, 0);
    DELETE FROM mobility_counts_by_partner WHERE n = 0
      AND partner_id = CASE WHEN old.direction = 'outgoing' THEN old.host_institution_id
                            ELSE old.home_institution_id END;
    INSERT INTO mobility_counts_by_unit
        (org_unit_id, year, direction, mobility_type, level, agreement_id, n)
    SELECT COALESCE(new.org_unit_id, 0), CAST(substr(new.start_on, 1, 4) AS INTEGER),
           new.direction, new.mobility_type, COALESCE(new.level, ''),
           COALESCE(new.agreement_id, 0), 1
    WHERE new.status <> 'cancelled'
    ON CONFLICT (org_unit_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = n + 1;
    INSERT INTO mobility_counts_by_partner
        (partner_id, year, direction, mobility_type, level, agreement_id, n)
    SELECT CASE WHEN new.direction = 'outgoing' THEN new.host_institution_id
                ELSE new.home_institution_id END,
           CAST(substr(new.start_on, 1, 4) AS INTEGER), new.direction, new.mobility_type,
           COALESCE(new.level, ''), COALESCE(new.agreement_id, 0), 1
    WHERE new.status <> 'cancelled'
    ON CONFLICT (partner_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = n + 1;
END;
