-- A reward's picture: the SHA-256 of a stored photo (uploaded by a supervisor), or NULL.
ALTER TABLE rewards ADD COLUMN photo TEXT;
