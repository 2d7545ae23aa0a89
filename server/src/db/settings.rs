//! Each county's own rules for triage, kept as the JSON of `api::CountySettings`.

use model::api::CountySettings;

use super::{Db, on};

impl Db {
    /// `county`'s settings; the defaults when it never set any. A stored value that does not
    /// read is an error, never silently the defaults.
    pub async fn county_settings(&self, county: &str) -> sqlx::Result<CountySettings> {
        let text: Option<String> = on!(self.pool, p => sqlx::query_scalar("SELECT settings FROM county_settings WHERE county = $1")
                .bind(county)
                .fetch_optional(p)
                .await)?;
        match text {
            None => Ok(CountySettings::default()),
            Some(text) => serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(e.into())),
        }
    }

    /// Replaces `county`'s settings.
    pub async fn county_settings_put(
        &self,
        county: &str,
        settings: &CountySettings,
        by: i64,
        at: i64,
    ) -> sqlx::Result<()> {
        let text = serde_json::to_string(settings).map_err(|e| sqlx::Error::Encode(e.into()))?;
        on!(self.writer, p => sqlx::query(
            "INSERT INTO county_settings (county, settings, updated_by, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (county) DO UPDATE SET settings = excluded.settings,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(county)
        .bind(text)
        .bind(by)
        .bind(at)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
