//! The supervisors' CSV export of a filtered report list: UTF-8 with a byte-order mark (so that
//! Excel reads the Chinese right), one report per line, times in China Standard Time, words in
//! the language asked for. Riders' text is untrusted: cells are quoted as RFC 4180 says, and a
//! cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.

use model::api::{Lang, ReportRow};

const CST_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// "2026-11-26 14:05" in China Standard Time.
pub fn cst_time(ms: i64) -> String {
    let local = ms + CST_OFFSET_MS;
    let (y, m, d) = civil(local.div_euclid(DAY_MS));
    let minutes = local.rem_euclid(DAY_MS) / 60_000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

/// The day of the month (1–31) of a day number (days since 1970-01-01).
pub fn day_of_month(days: i64) -> u32 {
    civil(days).2
}

/// The calendar date of a day number (days since 1970-01-01).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One cell, quoted when it must be, defused when a spreadsheet would run it.
fn cell(text: &str) -> String {
    model::station_csv::cell(text)
}

/// The CSV file of `rows`, in `lang`.
pub fn csv(rows: &[ReportRow], lang: Lang) -> String {
    let head: [&str; 10] = match lang {
        Lang::Zh => [
            "上报时间",
            "类型",
            "上报人",
            "说明",
            "地点",
            "纬度",
            "经度",
            "状态",
            "照片数",
            "编号",
        ],
        Lang::En => [
            "Filed",
            "Category",
            "Rider",
            "Note",
            "Place",
            "Latitude",
            "Longitude",
            "Status",
            "Photos",
            "Id",
        ],
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for r in rows {
        let category = match lang {
            Lang::Zh => r.category.label_zh(),
            Lang::En => r.category.label_en(),
        };
        let line = [
            cst_time(r.created_at),
            category.to_owned(),
            cell(&r.rider_name),
            cell(&r.note),
            cell(&r.place),
            format!("{:.6}", r.lat),
            format!("{:.6}", r.lon),
            r.status.label(lang).to_owned(),
            r.photos.len().to_string(),
            r.id.clone(),
        ];
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_standard_time() {
        assert_eq!(cst_time(0), "1970-01-01 08:00");
        // 2024-02-29 15:59:59 UTC is 23:59 in Beijing; a minute later it is 1 March.
        assert_eq!(cst_time(1_709_222_399_000), "2024-02-29 23:59");
        assert_eq!(cst_time(1_709_222_460_000), "2024-03-01 00:01");
    }

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("路灯不亮"), "路灯不亮");
        assert_eq!(cell("东门, 北侧"), "\"东门, 北侧\"");
        assert_eq!(cell("他说\"快来\""), "\"他说\"\"快来\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
    }
}
