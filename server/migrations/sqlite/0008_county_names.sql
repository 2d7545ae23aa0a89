-- A county's name in each language the app shows (Chinese, English). '' until it is known;
-- the API then names the county by its code.
ALTER TABLE counties ADD COLUMN name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE counties ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
