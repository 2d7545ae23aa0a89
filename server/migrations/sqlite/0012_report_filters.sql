-- The console's list and stats read a county's reports by filing time. The first index
-- answers a filtered page by walking it newest first, and, covering what the stats count, the
-- stats without reading the table.
CREATE INDEX reports_county_created
    ON reports (county, created_at, category, status, reviewed_at);
CREATE INDEX reports_county_status_created ON reports (county, status, created_at);
