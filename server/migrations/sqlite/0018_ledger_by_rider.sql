-- A rider's ledger in order, with the amounts: the balance is summed from the index alone, and
-- the latest entries are read newest first without sorting the rider's whole history.
CREATE INDEX ledger_user ON ledger (user_id, id, amount);
