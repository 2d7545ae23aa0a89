//! A station's opening hours for each weekday, and whether it is open at a given time.
//!
//! A week is seven day texts, Monday first. A day text is `24h` (open all day), empty (closed
//! that day), or one or more ranges `HH:MM-HH:MM` separated by commas. A range whose end is not
//! after its start runs past midnight into the next day (`20:00-06:00`); `24:00` may end a
//! range. Times are local (China Standard Time), in minutes since midnight here.

/// Minutes in a day.
pub const DAY: u32 = 24 * 60;

/// One opening range of a day: from `start` to `end` minutes after that day's midnight; `end`
/// may pass `DAY` (the range runs into the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

/// Where a station stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    /// Open around the clock.
    AllDay,
    /// Open until `closes` (minutes after midnight of the day asked about; past `DAY` it is the
    /// next day's).
    Until { closes: u32 },
    /// Closed; opens again at `opens` minutes after midnight, `in_days` days later (0: today),
    /// or not within a week (`None`).
    Closed { opens: Option<(u32, u32)> },
    /// The station gives no weekly hours.
    Unknown,
}

fn minutes(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// The ranges of a day text; `Err` with the part that does not read.
pub fn parse_day(text: &str) -> Result<Vec<Range>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if text.eq_ignore_ascii_case("24h") {
        return Ok(vec![Range { start: 0, end: DAY }]);
    }
    text.split(',')
        .map(|part| {
            let (a, b) = part.split_once('-').ok_or_else(|| part.trim().to_owned())?;
            let (start, end) = (minutes(a), minutes(b));
            match (start, end) {
                (Some(start), Some(end)) if start < DAY => Ok(Range {
                    start,
                    end: if end <= start { end + DAY } else { end },
                }),
                _ => Err(part.trim().to_owned()),
            }
        })
        .collect()
}

/// Whether a week (seven day texts, Monday first) reads; `Err` with the first day (0 = Monday)
/// and part that do not.
pub fn check_week(week: &[String]) -> Result<(), (usize, String)> {
    if week.len() != 7 {
        return Err((week.len().min(7), "7 days".into()));
    }
    for (day, text) in week.iter().enumerate() {
        parse_day(text).map_err(|part| (day, part))?;
    }
    Ok(())
}

/// Where a station with hours `week` stands on `weekday` (0 = Monday) at `minute` after
/// midnight. Days that do not read count as closed.
pub fn openness(week: &[String], weekday: u32, minute: u32) -> Openness {
    if week.len() != 7 {
        return Openness::Unknown;
    }
    let day = |offset: u32| -> Vec<Range> {
        parse_day(&week[((weekday + offset) % 7) as usize]).unwrap_or_default()
    };
    if (0..7).all(|d| day(d).iter().any(|r| r.start == 0 && r.end >= DAY)) {
        return Openness::AllDay;
    }
    // Yesterday's ranges that run past midnight, shifted onto today's clock.
    let yesterday = day(6).into_iter().filter(|r| r.end > DAY).map(|r| Range {
        start: 0,
        end: r.end - DAY,
    });
    let mut closes = None::<u32>;
    for r in day(0).into_iter().chain(yesterday) {
        if r.start <= minute && minute < r.end {
            closes = Some(closes.map_or(r.end, |c| c.max(r.end)));
        }
    }
    if let Some(closes) = closes {
        return Openness::Until { closes };
    }
    for offset in 0..7u32 {
        let next = day(offset)
            .into_iter()
            .map(|r| r.start)
            .filter(|start| offset > 0 || *start > minute)
            .min();
        if let Some(start) = next {
            return Openness::Closed {
                opens: Some((offset, start)),
            };
        }
    }
    Openness::Closed { opens: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(days: [&str; 7]) -> Vec<String> {
        days.iter().map(|d| (*d).to_owned()).collect()
    }

    const H: u32 = 60;

    #[test]
    fn day_texts_read_and_bad_ones_are_named() {
        assert_eq!(parse_day(""), Ok(vec![]));
        assert_eq!(parse_day("24h"), Ok(vec![Range { start: 0, end: DAY }]));
        assert_eq!(
            parse_day("07:00-12:00, 14:00-24:00"),
            Ok(vec![
                Range {
                    start: 7 * H,
                    end: 12 * H
                },
                Range {
                    start: 14 * H,
                    end: DAY
                }
            ])
        );
        assert_eq!(
            parse_day("20:00-06:00"),
            Ok(vec![Range {
                start: 20 * H,
                end: DAY + 6 * H
            }])
        );
        assert_eq!(parse_day("07:00-25:00"), Err("07:00-25:00".into()));
        assert_eq!(parse_day("7点到9点"), Err("7点到9点".into()));
        assert_eq!(parse_day("07:60-09:00"), Err("07:60-09:00".into()));
        assert!(check_week(&week(["24h"; 7])).is_ok());
        assert_eq!(
            check_week(&week(["", "", "x", "", "", "", ""])),
            Err((2, "x".into()))
        );
        assert!(check_week(&["24h".to_owned()]).is_err());
    }

    #[test]
    fn open_now_follows_the_day_and_the_hour() {
        let day_shop = week(["07:00-22:00"; 7]);
        assert_eq!(
            openness(&day_shop, 0, 23 * H),
            Openness::Closed {
                opens: Some((1, 7 * H))
            }
        );
        assert_eq!(
            openness(&day_shop, 0, 6 * H),
            Openness::Closed {
                opens: Some((0, 7 * H))
            }
        );
        assert_eq!(
            openness(&day_shop, 0, 12 * H),
            Openness::Until { closes: 22 * H }
        );
        assert_eq!(openness(&week(["24h"; 7]), 3, 3 * H), Openness::AllDay);
        assert_eq!(openness(&[], 3, 3 * H), Openness::Unknown);
        assert_eq!(
            openness(&week([""; 7]), 3, 3 * H),
            Openness::Closed { opens: None }
        );
    }

    #[test]
    fn a_night_range_runs_into_the_next_morning() {
        // Open Friday night only, 20:00 to 06:00 on Saturday.
        let night = week(["", "", "", "", "20:00-06:00", "", ""]);
        assert_eq!(
            openness(&night, 4, 21 * H),
            Openness::Until {
                closes: DAY + 6 * H
            }
        );
        assert_eq!(
            openness(&night, 5, 5 * H),
            Openness::Until { closes: 6 * H }
        );
        assert_eq!(
            openness(&night, 5, 7 * H),
            Openness::Closed {
                opens: Some((6, 20 * H))
            }
        );
        assert_eq!(
            openness(&night, 4, 19 * H),
            Openness::Closed {
                opens: Some((0, 20 * H))
            }
        );
        // A week of 24h except one day is not all day.
        let mut most = week(["24h"; 7]);
        most[6] = "08:00-20:00".into();
        assert_eq!(openness(&most, 0, 3 * H), Openness::Until { closes: DAY });
    }
}
