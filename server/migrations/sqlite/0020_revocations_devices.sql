-- Ended sessions, for the open connections and live feeds they opened: every server process
-- reads the new rows (its own at once, the command line's and other processes' within a
-- second) and closes what they name. `token_hash` NULL names every session of the user.
CREATE TABLE revocations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    token_hash TEXT,
    at         INTEGER NOT NULL
);

-- A ticket is good only while the session that asked for it lives.
ALTER TABLE sync_tickets ADD COLUMN session_hash TEXT;

-- Devices that have logged in to an account before (the hash of their long-lived device
-- cookie): guessing from elsewhere does not throttle them.
CREATE TABLE login_devices (
    token_hash TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    last_login INTEGER NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX login_devices_by_user ON login_devices (user_id);
