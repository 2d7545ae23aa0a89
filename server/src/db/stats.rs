//! The supervisors' figures: reports per week and category, and riders by points this month.

use model::api::{RiderPoints, Stats, WeekStats};

use super::{Db, on};

const DAY_MS: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// The Monday 00:00 (China Standard Time) of the week holding `t`.
pub fn week_start(t: i64) -> i64 {
    let day = (t + CST_OFFSET_MS).div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: Monday is 3 days before it.
    let monday = (day + 3).div_euclid(7) * 7 - 3;
    monday * DAY_MS - CST_OFFSET_MS
}

/// The first day of the month holding `t`, 00:00 China Standard Time.
pub fn month_start(t: i64) -> i64 {
    let local = t + CST_OFFSET_MS;
    let day = local.div_euclid(DAY_MS);
    let day_of_month = i64::from(crate::export::day_of_month(day)) - 1;
    (day - day_of_month) * DAY_MS - CST_OFFSET_MS
}

impl Db {
    /// `county`'s figures for the `weeks` weeks up to `now`, and its riders by points earned
    /// this month (the 20 with the most). The counts and points come from `report_tallies`,
    /// which triggers keep as reports are filed and decided and points booked (migration
    /// 0017); only the decided reports' waiting times are read, for the medians.
    pub async fn stats(&self, county: &str, weeks: i64, now: i64) -> sqlx::Result<Stats> {
        let since = week_start(now) - (weeks - 1) * 7 * DAY_MS;
        let counts: Vec<(i64, String, i64, i64, i64, i64)> = on!(self.pool, p => sqlx::query_as(
            "SELECT week, category, received, decided, valid, points FROM report_tallies
             WHERE county = $1 AND week >= $2 AND received > 0",
        )
        .bind(county)
        .bind(since)
        .fetch_all(p)
        .await)?;
        // The partial index `reports_decided` holds exactly these rows.
        let waits: Vec<(i64, String, i64)> = on!(self.pool, p => sqlx::query_as(
            "SELECT created_at, category, reviewed_at - created_at FROM reports
             WHERE county = $1 AND created_at >= $2 AND status <> 'new'
             AND reviewed_at IS NOT NULL",
        )
        .bind(county)
        .bind(since)
        .fetch_all(p)
        .await)?;
        let mut by_group: std::collections::HashMap<(i64, String), Vec<i64>> =
            std::collections::HashMap::new();
        for (created_at, category, wait) in waits {
            by_group
                .entry((week_start(created_at), category))
                .or_default()
                .push(wait);
        }
        let mut weeks: Vec<WeekStats> = counts
            .into_iter()
            .filter_map(|(week, code, received, decided, valid, points)| {
                let category = model::Category::from_code(&code)?;
                let mut w = by_group.remove(&(week, code.clone())).unwrap_or_default();
                w.sort_unstable();
                let median_decision_ms = match w.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(w[n / 2]),
                    n => Some((w[n / 2 - 1] + w[n / 2]) / 2),
                };
                Some(WeekStats {
                    week,
                    category,
                    received: received as u32,
                    decided: decided as u32,
                    valid: valid as u32,
                    median_decision_ms,
                    points,
                })
            })
            .collect();
        weeks.sort_by(|a, b| {
            b.week
                .cmp(&a.week)
                .then(a.category.code().cmp(b.category.code()))
        });
        let riders: Vec<(i64, String, i64)> = on!(self.pool, p => sqlx::query_as(
            "SELECT u.id, u.name, CAST(SUM(l.amount) AS BIGINT) AS points FROM ledger l
             JOIN users u ON u.id = l.user_id
             WHERE u.county = $1 AND l.created_at >= $2 AND l.kind IN ('award', 'adjustment')
             GROUP BY u.id, u.name HAVING SUM(l.amount) > 0
             ORDER BY points DESC, u.id LIMIT 20",
        )
        .bind(county)
        .bind(month_start(now))
        .fetch_all(p)
        .await)?;
        Ok(Stats {
            weeks,
            riders: riders
                .into_iter()
                .map(|(rider_id, name, points)| RiderPoints {
                    rider_id,
                    name,
                    points,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_week_is_week_start() {
        // The formula of migration 0017's triggers, evaluated in Rust the same way
        // (non-negative times).
        let sql =
            |t: i64| (((t + 28_800_000) / 86_400_000 + 3) / 7 * 7 - 3) * 86_400_000 - 28_800_000;
        for t in [
            0,
            1_795_550_400_000,
            1_709_222_399_000,
            1_709_222_460_000,
            1_795_449_600_000,
        ] {
            assert_eq!(sql(t), week_start(t), "{t}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first_in_china() {
        // Wednesday 2026-11-25 12:00 CST.
        let wed = 1_795_550_400_000;
        assert_eq!(crate::export::cst_time(week_start(wed)), "2026-11-23 00:00");
        assert_eq!(
            crate::export::cst_time(month_start(wed)),
            "2026-11-01 00:00"
        );
        // Sunday 23:59 CST is still that week; Monday 00:00 starts the next.
        let monday = week_start(wed) + 7 * DAY_MS;
        assert_eq!(week_start(monday - 60_000), week_start(wed));
        assert_eq!(week_start(monday), monday);
    }
}
