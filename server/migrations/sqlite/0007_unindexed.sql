-- Documents with changes stored that the indexer has not read yet. The document store marks a
-- document here in the same transaction as it stores a change; the indexer clears the mark
-- (if no newer change came meanwhile) once it has indexed what it read. At start only the
-- marked rider documents are indexed, so start-up does not grow with the number of accounts.
CREATE TABLE docs_unindexed (
    doc_id TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL
);

-- A database from before this table: index every rider document once.
INSERT INTO docs_unindexed (doc_id, seq)
    SELECT rider_doc, 1 FROM users WHERE rider_doc IS NOT NULL;
