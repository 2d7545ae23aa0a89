-- The area a county covers, as a latitude/longitude box (WGS 84). The app warns when a
-- report's location falls outside its rider's county. NULL: not known, nothing is checked.
ALTER TABLE counties ADD COLUMN south REAL;
ALTER TABLE counties ADD COLUMN west REAL;
ALTER TABLE counties ADD COLUMN north REAL;
ALTER TABLE counties ADD COLUMN east REAL;
