//! A county's stations as a CSV file, both ways: the console exports it and imports it back
//! (`GET`/`POST /api/stations.csv`). UTF-8 with a byte-order mark (so Excel reads the Chinese
//! right), CRLF lines, cells quoted as RFC 4180 says; a cell a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@`) is written with a leading `'`, which reading takes off again.
//!
//! The header is the field codes, the same in every language:
//! `id,name,address,lat,lon,kind,host,phone,status,facilities,mon,tue,wed,thu,fri,sat,sun,hours`;
//! `facilities` are codes separated by spaces, the weekdays hold the day texts of
//! [`crate::hours`].

use crate::api::{StationForm, StationItem};

/// The header line's cells.
pub const HEADER: [&str; 18] = [
    "id",
    "name",
    "address",
    "lat",
    "lon",
    "kind",
    "host",
    "phone",
    "status",
    "facilities",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "hours",
];

/// One CSV cell, quoted as RFC 4180 says when it must be, defused (a leading `'`) when a
/// spreadsheet would run it as a formula. The report export writes its cells with it too.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The CSV file of `items`.
pub fn write(items: &[StationItem]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for item in items {
        let s = &item.station;
        let mut cells = vec![
            item.id.clone(),
            s.name.clone(),
            s.address.clone(),
            s.lat.to_string(),
            s.lon.to_string(),
            s.kind.clone(),
            s.host.clone(),
            s.phone.clone(),
            s.status.clone(),
            s.facilities.join(" "),
        ];
        cells.extend((0..7).map(|d| s.week.get(d).cloned().unwrap_or_default()));
        cells.push(s.hours.clone());
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The records of a CSV text (RFC 4180: quoted cells may hold commas, quotes and line
/// breaks), each with the line it starts on (1 = the first).
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let (mut line, mut start) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                out.push((start, std::mem::take(&mut record)));
                line += 1;
                start = line;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(start);
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        out.push((start, record));
    }
    // Blank lines are no records.
    out.retain(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(out)
}

/// A cell as written: the `'` that defused a formula taken off.
fn plain(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// One station of a file: the line it is on, its id, and its fields (unchecked).
pub type Line = (usize, String, StationForm);

/// What does not read, by line (line 3 is the third line of the file, the header being line 1).
pub type LineErrors = Vec<(usize, String)>;

/// The stations of a CSV file, unchecked, each with its line; or what does not read, by line.
pub fn read(text: &str) -> Result<Vec<Line>, LineErrors> {
    let records = records(text).map_err(|line| vec![(line, "an unclosed quote".to_owned())])?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(vec![(1, "no header".to_owned())]);
    };
    let header: Vec<String> = header.iter().map(|h| plain(h)).collect();
    if header != HEADER {
        return Err(vec![(1, format!("the header is not {}", HEADER.join(",")))]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (line, r) in records {
        if r.len() != HEADER.len() {
            errors.push((line, format!("{} cells, not {}", r.len(), HEADER.len())));
            continue;
        }
        let c: Vec<String> = r.iter().map(|x| plain(x)).collect();
        let number = |i: usize| c[i].parse::<f64>().unwrap_or(f64::NAN);
        let form = StationForm {
            name: c[1].clone(),
            address: c[2].clone(),
            lat: number(3),
            lon: number(4),
            kind: c[5].clone(),
            host: c[6].clone(),
            phone: c[7].clone(),
            status: c[8].clone(),
            facilities: c[9].split_whitespace().map(str::to_owned).collect(),
            week: if c[10..17].iter().all(String::is_empty) {
                Vec::new()
            } else {
                c[10..17].to_vec()
            },
            hours: c[17].clone(),
        };
        out.push((line, c[0].clone(), form));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, name: &str) -> StationItem {
        StationItem {
            id: id.into(),
            station: StationForm {
                name: name.into(),
                address: "钟多街道, \"汽车站\"旁".into(),
                lat: 28.8367,
                lon: 108.7644,
                week: vec!["07:00-22:00".into(); 7],
                facilities: vec!["water".into(), "charging".into()],
                kind: "xiaoge".into(),
                phone: "+86 23 7555 0102".into(),
                status: "open".into(),
                ..StationForm::default()
            },
        }
    }

    #[test]
    fn stations_round_trip_through_csv() {
        let items = vec![
            item("yy-bus", "小哥驿站（汽车站）"),
            item("yy-two", "=HYPERLINK()"),
        ];
        let text = write(&items);
        assert!(text.starts_with("\u{feff}id,name,"));
        assert!(text.contains("'=HYPERLINK()"));
        assert!(text.contains("'+86 23 7555 0102"));
        let read = read(&text).expect("reads");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, 2);
        assert_eq!(
            (read[1].1.as_str(), &read[1].2),
            ("yy-two", &items[1].station)
        );
    }

    #[test]
    fn what_does_not_read_is_told_by_line() {
        let head = HEADER.join(",");
        assert_eq!(
            read("a,b\r\n"),
            Err(vec![(1, format!("the header is not {head}"))])
        );
        let text = format!("{head}\r\nyy-a,only three,cells\r\n\r\nyy-b,\"open quote");
        assert_eq!(read(&text), Err(vec![(4, "an unclosed quote".to_owned())]));
        let text = format!("{head}\r\nyy-a,only three,cells\r\n");
        assert_eq!(read(&text), Err(vec![(2, "3 cells, not 18".to_owned())]));
    }
}
