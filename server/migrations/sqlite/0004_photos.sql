-- Photos held by the photo store, by the SHA-256 of their bytes.
CREATE TABLE photos (
    sha256    TEXT    PRIMARY KEY,
    mime      TEXT    NOT NULL,
    bytes     INTEGER NOT NULL,
    width     INTEGER NOT NULL,
    height    INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
);

-- Who uploaded each photo: the uploader, and supervisors of the uploader's county, may read it.
CREATE TABLE photo_owners (
    sha256  TEXT    NOT NULL REFERENCES photos (sha256),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (sha256, user_id)
);
