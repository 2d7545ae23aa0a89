-- The report list pages by (received_at DESC, rider_id, id): these indexes hold that order
-- whole, so a page, with or without a status filter, is read in order and stops at its
-- limit instead of sorting every report of the county.
CREATE INDEX reports_county_page ON reports (county, received_at DESC, rider_id, id);
CREATE INDEX reports_county_status_page
    ON reports (county, status, received_at DESC, rider_id, id);
-- Its first columns are the new page index's.
DROP INDEX reports_county_received;
