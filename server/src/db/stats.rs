//! The supervisors' figures: reports per week and category, and riders by points this month.

use model::api::{ReviewStatus, RiderPoints, Stats, WeekStats};

use super::Db;

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

#[derive(sqlx::FromRow)]
struct Fact {
    category: String,
    created_at: i64,
    status: String,
    reviewed_at: Option<i64>,
    points: i64,
}

impl Db {
    /// `county`'s figures for the `weeks` weeks up to `now`, and its riders by points earned
    /// this month (the 20 with the most).
    pub async fn stats(&self, county: &str, weeks: i64, now: i64) -> sqlx::Result<Stats> {
        let since = week_start(now) - (weeks - 1) * 7 * DAY_MS;
        let facts: Vec<Fact> = sqlx::query_as(
            "SELECT r.category, r.created_at, r.status, r.reviewed_at,
                    COALESCE((SELECT SUM(l.amount) FROM ledger l
                              WHERE l.user_id = r.rider_id AND l.report_id = r.id), 0) AS points
             FROM reports r WHERE r.county = $1 AND r.created_at >= $2",
        )
        .bind(county)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut groups: std::collections::BTreeMap<(i64, String), (WeekStats, Vec<i64>)> =
            std::collections::BTreeMap::new();
        for f in facts {
            let Some(category) = model::Category::from_code(&f.category) else {
                continue;
            };
            let week = week_start(f.created_at);
            let (stats, waits) = groups.entry((week, f.category.clone())).or_insert_with(|| {
                (
                    WeekStats {
                        week,
                        category,
                        received: 0,
                        decided: 0,
                        valid: 0,
                        median_decision_ms: None,
                        points: 0,
                    },
                    Vec::new(),
                )
            });
            stats.received += 1;
            stats.points += f.points;
            if f.status != ReviewStatus::New.code() {
                stats.decided += 1;
                if let Some(at) = f.reviewed_at {
                    waits.push(at - f.created_at);
                }
            }
            if f.status == ReviewStatus::Valid.code() {
                stats.valid += 1;
            }
        }
        let mut weeks: Vec<WeekStats> = groups
            .into_values()
            .map(|(mut stats, mut waits)| {
                waits.sort_unstable();
                stats.median_decision_ms = match waits.len() {
                    0 => None,
                    n if n % 2 == 1 => Some(waits[n / 2]),
                    n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
                };
                stats
            })
            .collect();
        weeks.sort_by(|a, b| {
            b.week
                .cmp(&a.week)
                .then(a.category.code().cmp(b.category.code()))
        });
        let riders: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT u.id, u.name, SUM(l.amount) AS points FROM ledger l
             JOIN users u ON u.id = l.user_id
             WHERE u.county = $1 AND l.created_at >= $2 AND l.kind IN ('award', 'adjustment')
             GROUP BY u.id, u.name HAVING SUM(l.amount) > 0
             ORDER BY points DESC, u.id LIMIT 20",
        )
        .bind(county)
        .bind(month_start(now))
        .fetch_all(&self.pool)
        .await?;
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
