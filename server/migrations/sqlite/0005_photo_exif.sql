-- What the report's earliest photo said about itself (EXIF capture time and GPS), as JSON
-- `{"taken_at": ms, "lat": deg, "lon": deg}` with absent keys for unknown values, or '' when
-- the report carries none. Supervisors see it; the photo itself is stored without EXIF.
ALTER TABLE reports ADD COLUMN photo_exif TEXT NOT NULL DEFAULT '';
