-- Each county's own rules for triage (reasons, departments, awards per category, the duplicate
-- share), as the JSON of `api::CountySettings`. A county without a row has the defaults.
CREATE TABLE county_settings (
    county     TEXT    PRIMARY KEY,
    settings   TEXT    NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at INTEGER NOT NULL
);
