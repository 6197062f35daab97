-- The API's JSON of each institution's editable fields (the members serde writes between "id"
-- and "version", without braces), written with the row by liaison-storage (institutions.rs), so
-- that a list page is concatenated from stored text instead of being built per request. Rows
-- with an empty value are built from their columns when read. Existing rows are filled here.
ALTER TABLE institutions ADD COLUMN api_json TEXT NOT NULL DEFAULT '';
UPDATE institutions SET api_json = json_object(
    'kind', kind,
    'name', json_patch('{}', json_object('en', name_en, 'zh', name_zh, 'local', name_local)),
    'country', country,
    'city', json_patch('{}', json_object('en', city_en, 'zh', city_zh, 'local', city_local)),
    'website', website,
    'status', status,
    'region_tags', json(CASE WHEN region_tags = '' THEN '[]'
        ELSE '["' || replace(substr(region_tags, 2, length(region_tags) - 2), ',', '","') || '"]' END),
    'hei_id', hei_id,
    'erasmus_code', erasmus_code,
    'social_credit_code', social_credit_code,
    'profile', json_patch('{}', json_object('en', profile_en, 'zh', profile_zh, 'local', profile_local)));
UPDATE institutions SET api_json = substr(api_json, 2, length(api_json) - 2);
