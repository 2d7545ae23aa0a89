//! The supervisors' report list, as `/api/reports` and its feed send it (`model::api::ReportRow`).

pub use model::api::ReportRow;

/// Inserts or replaces `row` by id and keeps the list newest first.
pub fn merge(rows: &mut Vec<ReportRow>, row: ReportRow) {
    match rows.iter_mut().find(|r| r.id == row.id) {
        Some(existing) => *existing = row,
        None => rows.push(row),
    }
    sort(rows);
}

/// Newest first: by arrival at the server (a report filed offline hours ago is still news to
/// the supervisor), then by filing time, then by id so the order is stable.
pub fn sort(rows: &mut [ReportRow]) {
    rows.sort_by(|a, b| {
        b.received_at
            .cmp(&a.received_at)
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
}
