-- The points ledger: append-only. A rider's balance is the sum of their entries; no entry is
-- ever updated or deleted, a changed decision books a compensating entry. `ref` is each entry's
-- idempotency key, so a replay books nothing twice.
CREATE TABLE ledger (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    ref        TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    amount     INTEGER NOT NULL,
    report_id  TEXT,
    actor      INTEGER REFERENCES users (id),
    reason     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_user_report ON ledger (user_id, report_id);
