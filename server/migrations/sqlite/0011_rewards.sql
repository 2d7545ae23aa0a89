-- Each county's catalogue of rewards for points. Stock never goes below zero.
CREATE TABLE rewards (
    id      INTEGER PRIMARY KEY,
    county  TEXT    NOT NULL,
    name    TEXT    NOT NULL,
    price   INTEGER NOT NULL CHECK (price > 0),
    stock   INTEGER NOT NULL CHECK (stock >= 0),
    active  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rewards_county ON rewards (county);

-- Riders' redemption requests, decided once each: the key is the request's id in the rider
-- document. A request that succeeded spent its price (a `redemption` ledger entry in the same
-- transaction) and has a 6-digit pickup code, valid 30 days and usable once.
CREATE TABLE redemptions (
    rider_id     INTEGER NOT NULL REFERENCES users (id),
    id           TEXT    NOT NULL,
    reward_id    INTEGER REFERENCES rewards (id),
    name         TEXT    NOT NULL DEFAULT '',
    price        INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    code         TEXT,
    expires_at   INTEGER,
    picked_up_at INTEGER,
    picked_up_by INTEGER REFERENCES users (id),
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL,
    PRIMARY KEY (rider_id, id)
);
-- A code is unique among the rewards waiting to be handed over.
CREATE UNIQUE INDEX redemptions_open_code ON redemptions (code)
    WHERE code IS NOT NULL AND picked_up_at IS NULL;
ALTER TABLE notices ADD COLUMN redemption_id TEXT;
