-- no-transaction
-- Station staff (`station`): a fourth role, who hand rewards over at the counter. SQLite cannot
-- change a CHECK constraint in place, so the accounts table is rebuilt by SQLite's documented
-- procedure: foreign keys off, a new table, the rows copied, the old table dropped and the new
-- one renamed, the foreign keys checked, foreign keys on.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('rider', 'supervisor', 'admin', 'station')),
    county        TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    rider_doc     TEXT    UNIQUE,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    office_doc    TEXT
);
INSERT INTO users_new (id, login, name, role, county, password_hash, rider_doc, disabled,
                       created_at, office_doc)
    SELECT id, login, name, role, county, password_hash, rider_doc, disabled, created_at,
           office_doc
    FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_office_doc ON users (office_doc);
COMMIT;
PRAGMA foreign_keys = ON;
