-- The stats page's counts, kept as the reports and the ledger change: per county, week (its
-- Monday 00:00 China Standard Time, in ms) and category, the reports filed, decided and valid,
-- and the points booked for them. Triggers keep it, so every path that files, decides or books
-- counts the same; the page reads a few dozen rows instead of counting the county's reports.
CREATE TABLE report_tallies (
    county   TEXT    NOT NULL,
    week     INTEGER NOT NULL,
    category TEXT    NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    decided  INTEGER NOT NULL DEFAULT 0,
    valid    INTEGER NOT NULL DEFAULT 0,
    points   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (county, week, category)
) WITHOUT ROWID;

-- The week expression is `stats::week_start` (filing times are after 1970).
INSERT INTO report_tallies (county, week, category, received, decided, valid)
SELECT county, (((created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000,
       category, COUNT(*), SUM(status <> 'new'), SUM(status = 'valid')
FROM reports GROUP BY 1, 2, 3;

UPDATE report_tallies SET points = (
    SELECT COALESCE(SUM(l.amount), 0) FROM ledger l
    JOIN reports r ON r.rider_id = l.user_id AND r.id = l.report_id
    WHERE r.county = report_tallies.county AND r.category = report_tallies.category
      AND (((r.created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000
          = report_tallies.week
);

CREATE TRIGGER report_tallies_insert AFTER INSERT ON reports
BEGIN
    INSERT INTO report_tallies (county, week, category, received, decided, valid)
    VALUES (NEW.county,
            (((NEW.created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000,
            NEW.category, 1, NEW.status <> 'new', NEW.status = 'valid')
    ON CONFLICT (county, week, category) DO UPDATE SET
        received = received + 1,
        decided = decided + excluded.decided,
        valid = valid + excluded.valid;
END;

-- A report moved to another week or category takes its points along.
CREATE TRIGGER report_tallies_update
AFTER UPDATE OF county, created_at, category, status ON reports
WHEN OLD.county IS NOT NEW.county OR OLD.created_at IS NOT NEW.created_at
  OR OLD.category IS NOT NEW.category OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE report_tallies SET
        received = received - 1,
        decided = decided - (OLD.status <> 'new'),
        valid = valid - (OLD.status = 'valid'),
        points = points - (SELECT COALESCE(SUM(amount), 0) FROM ledger
                           WHERE user_id = OLD.rider_id AND report_id = OLD.id)
    WHERE county = OLD.county AND category = OLD.category
      AND week = (((OLD.created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000;
    INSERT INTO report_tallies (county, week, category, received, decided, valid, points)
    VALUES (NEW.county,
            (((NEW.created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000,
            NEW.category, 1, NEW.status <> 'new', NEW.status = 'valid',
            (SELECT COALESCE(SUM(amount), 0) FROM ledger
             WHERE user_id = NEW.rider_id AND report_id = NEW.id))
    ON CONFLICT (county, week, category) DO UPDATE SET
        received = received + 1,
        decided = decided + excluded.decided,
        valid = valid + excluded.valid,
        points = points + excluded.points;
END;

CREATE TRIGGER report_tallies_delete AFTER DELETE ON reports
BEGIN
    UPDATE report_tallies SET
        received = received - 1,
        decided = decided - (OLD.status <> 'new'),
        valid = valid - (OLD.status = 'valid'),
        points = points - (SELECT COALESCE(SUM(amount), 0) FROM ledger
                           WHERE user_id = OLD.rider_id AND report_id = OLD.id)
    WHERE county = OLD.county AND category = OLD.category
      AND week = (((OLD.created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000;
END;

-- A booking about a report counts in its report's week and category.
CREATE TRIGGER report_tallies_points AFTER INSERT ON ledger
WHEN NEW.report_id IS NOT NULL
BEGIN
    UPDATE report_tallies SET points = points + NEW.amount
    WHERE (county, week, category) = (
        SELECT county,
               (((created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000 - 28800000,
               category
        FROM reports WHERE rider_id = NEW.user_id AND id = NEW.report_id);
END;

-- The decided reports' waiting times, for the medians, without reading the undecided ones.
CREATE INDEX reports_decided ON reports (county, created_at, category, reviewed_at)
    WHERE status <> 'new' AND reviewed_at IS NOT NULL;
