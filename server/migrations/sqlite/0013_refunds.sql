-- A reward not picked up within 30 days is refunded: its price goes back to the rider (a
-- `refund` ledger entry), one goes back to the stock, and the request's status becomes
-- `refunded`. Its code is then free for another reward.
ALTER TABLE redemptions ADD COLUMN refunded_at INTEGER;
DROP INDEX redemptions_open_code;
CREATE UNIQUE INDEX redemptions_open_code ON redemptions (code)
    WHERE code IS NOT NULL AND status = 'done' AND picked_up_at IS NULL;
-- The rewards waiting to be picked up, by when their code expires.
CREATE INDEX redemptions_waiting ON redemptions (expires_at)
    WHERE status = 'done' AND picked_up_at IS NULL;
