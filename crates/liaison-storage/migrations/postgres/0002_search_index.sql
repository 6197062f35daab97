-- Substring search over search_text through pg_trgm GIN indexes: `search_text LIKE '%…%'`
-- uses them for patterns of three or more characters. pg_trgm is a trusted extension (PostgreSQL
-- 13+), so the database owner may create it; it lives in `public` so every schema shares it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE INDEX institutions_search_trgm ON institutions USING gin (search_text public.gin_trgm_ops);
CREATE INDEX org_units_search_trgm ON org_units USING gin (search_text public.gin_trgm_ops);
CREATE INDEX people_search_trgm ON people USING gin (search_text public.gin_trgm_ops);
