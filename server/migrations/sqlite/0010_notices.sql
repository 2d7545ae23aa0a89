-- What each rider is told: one notice per decision on their reports (later also redemption
-- outcomes and county announcements). Append-only, written in the decision's transaction; the
-- rider's office document carries a copy.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL,
    report_id  TEXT,
    status     TEXT    NOT NULL DEFAULT '',
    points     INTEGER NOT NULL DEFAULT 0,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX notices_user ON notices (user_id, id);
