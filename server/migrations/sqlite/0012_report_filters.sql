-- The console's list and stats read a county's reports newest first and by filing time: an
-- index in that order answers a filtered page by walking it, without sorting the county.
CREATE INDEX reports_county_created ON reports (county, created_at DESC);
CREATE INDEX reports_county_status_created ON reports (county, status, created_at DESC);
