-- The leadership report (issue 8) reads counts, not mobilities. Two summary tables hold the number
-- of stays that are not cancelled per year (of `start_on`) × direction × mobility type × level ×
-- (org unit | partner institution) × agreement; "none" is stored as '' (level) or 0 (unit,
-- agreement) so that every key column can be part of the primary key. The partner is the other
-- side: the host of an outgoing stay, the home institution of an incoming one. A trigger keeps
-- both tables in step with every write to `mobilities` (inserts, edits, status changes, deletes,
-- and the `SET NULL` of a deleted unit or agreement), in the writer's transaction. Backups leave
-- these tables out: a restore refills them through the same trigger.

CREATE TABLE mobility_counts_by_unit (
    org_unit_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    direction TEXT NOT NULL,
    mobility_type TEXT NOT NULL,
    level TEXT NOT NULL,
    agreement_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_unit_id, year, direction, mobility_type, level, agreement_id)
);

CREATE TABLE mobility_counts_by_partner (
    partner_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    direction TEXT NOT NULL,
    mobility_type TEXT NOT NULL,
    level TEXT NOT NULL,
    agreement_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (partner_id, year, direction, mobility_type, level, agreement_id)
);

INSERT INTO mobility_counts_by_unit
    (org_unit_id, year, direction, mobility_type, level, agreement_id, n)
SELECT COALESCE(org_unit_id, 0), CAST(substr(start_on, 1, 4) AS BIGINT), direction,
       mobility_type, COALESCE(level, ''), COALESCE(agreement_id, 0), COUNT(*)
FROM mobilities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO mobility_counts_by_partner
    (partner_id, year, direction, mobility_type, level, agreement_id, n)
SELECT CASE WHEN direction = 'outgoing' THEN host_institution_id ELSE home_institution_id END,
       CAST(substr(start_on, 1, 4) AS BIGINT), direction, mobility_type, COALESCE(level, ''),
       COALESCE(agreement_id, 0), COUNT(*)
FROM mobilities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4, 5, 6;

-- Adds `delta` (1 or -1) to the counts a stay belongs to; cancelled stays belong to none.
CREATE FUNCTION mobility_counts_add(m mobilities, delta BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_year BIGINT := CAST(substr(m.start_on, 1, 4) AS BIGINT);
    v_level TEXT := COALESCE(m.level, '');
    v_unit BIGINT := COALESCE(m.org_unit_id, 0);
    v_agreement BIGINT := COALESCE(m.agreement_id, 0);
    v_partner BIGINT := CASE WHEN m.direction = 'outgoing' THEN m.host_institution_id
                             ELSE m.home_institution_id END;
BEGIN
    IF m.status = 'cancelled' THEN
        RETURN;
    END IF;
    INSERT INTO mobility_counts_by_unit AS c
        (org_unit_id, year, direction, mobility_type, level, agreement_id, n)
    VALUES (v_unit, v_year, m.direction, m.mobility_type, v_level, v_agreement, delta)
    ON CONFLICT (org_unit_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO mobility_counts_by_partner AS c
        (partner_id, year, direction, mobility_type, level, agreement_id, n)
    VALUES (v_partner, v_year, m.direction, m.mobility_type, v_level, v_agreement, delta)
    ON CONFLICT (partner_id, year, direction, mobility_type, level, agreement_id)
    DO UPDATE SET n = c.n + EXCLUDED.n;
    IF delta < 0 THEN
        DELETE FROM mobility_counts_by_unit c
        WHERE c.n = 0 AND c.org_unit_id = v_unit AND c.year = v_year
          AND c.direction = m.direction AND c.mobility_type = m.mobility_type
          AND c.level = v_level AND c.agreement_id = v_agreement;
        DELETE FROM mobility_counts_by_partner c
        WHERE c.n = 0 AND c.partner_id = v_partner AND c.year = v_year
          AND c.direction = m.direction AND c.mobility_type = m.mobility_type
          AND c.level = v_level AND c.agreement_id = v_agreement;
    END IF;
END $$;

CREATE FUNCTION mobility_counts_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM mobility_counts_add(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM mobility_counts_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER mobility_counts_insert_delete AFTER INSERT OR DELETE ON mobilities
FOR EACH ROW EXECUTE FUNCTION mobility_counts_trigger();

-- An edit that moves a stay to other counts: out of the old ones, into the new ones.
CREATE TRIGGER mobility_counts_update AFTER UPDATE OF
    start_on, status, direction, mobility_type, level, org_unit_id, agreement_id,
    home_institution_id, host_institution_id
ON mobilities FOR EACH ROW
WHEN (substr(OLD.start_on, 1, 4) IS DISTINCT FROM substr(NEW.start_on, 1, 4)
   OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled')
   OR OLD.direction IS DISTINCT FROM NEW.direction
   OR OLD.mobility_type IS DISTINCT FROM NEW.mobility_type
   OR OLD.level IS DISTINCT FROM NEW.level
   OR OLD.org_unit_id IS DISTINCT FROM NEW.org_unit_id
   OR OLD.agreement_id IS DISTINCT FROM NEW.agreement_id
   OR OLD.home_institution_id IS DISTINCT FROM NEW.home_institution_id
   OR OLD.host_institution_id IS DISTINCT FROM NEW.host_institution_id)
EXECUTE FUNCTION mobility_counts_trigger();
