//! 我的上报: every report of the rider's document and where it stands.

use std::collections::HashMap;

use leptos::prelude::*;
use model::api::ReviewStatus;

use crate::{
    i18n::{self, t},
    photo::ThumbUrl,
    state::{Ctx, Delivery, OutboxRow, PhotoStatus, PhotoView},
    time,
};

/// The photos of one report: thumbnails, what is left to send, and the upload in progress.
#[component]
fn ReportPhotos(report_id: String) -> impl IntoView {
    let photos = Ctx::get().sync.photos;
    let s = t();
    // The thumbnails' object URLs, by hash: made when a photo is first shown, kept while it
    // waits for upload, revoked once the server holds it or when the list goes away.
    let urls = StoredValue::new_local(HashMap::<String, ThumbUrl>::new());
    on_cleanup(move || urls.update_value(HashMap::clear));
    let mine = move || -> Vec<PhotoView> {
        photos.with(|ps| {
            ps.iter()
                .filter(|p| p.report_id == report_id)
                .cloned()
                .collect()
        })
    };
    move || {
        let list = mine();
        if list.is_empty() {
            return None;
        }
        let left: Vec<&PhotoView> = list
            .iter()
            .filter(|p| matches!(p.status, PhotoStatus::Pending | PhotoStatus::Uploading(_)))
            .collect();
        let bytes: u64 = left.iter().map(|p| u64::from(p.bytes)).sum();
        let summary = if left.is_empty() {
            if list
                .iter()
                .any(|p| matches!(p.status, PhotoStatus::Refused(_)))
            {
                s.photo_refused.to_owned()
            } else {
                s.photo_stored.to_owned()
            }
        } else {
            i18n::photos_pending(left.len(), bytes)
        };
        let state = if left.is_empty() { "done" } else { "pending" };
        let shown: Vec<Option<String>> = urls
            .try_update_value(|urls| {
                urls.retain(|sha, _| {
                    list.iter()
                        .any(|p| &p.sha256 == sha && p.status != PhotoStatus::Stored)
                });
                list.iter()
                    .map(|p| {
                        if p.status == PhotoStatus::Stored {
                            return None;
                        }
                        if !urls.contains_key(&p.sha256) {
                            urls.insert(p.sha256.clone(), ThumbUrl::jpeg(&p.thumb)?);
                        }
                        urls.get(&p.sha256).map(ThumbUrl::url)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(view! {
            <div class="oi-photos" data-testid="outbox-photos" data-photos=state>
                <ul class="oi-thumbs">
                    {list
                        .into_iter()
                        .zip(shown)
                        .map(|(p, url)| {
                            let progress = match p.status {
                                PhotoStatus::Uploading(f) => Some(f),
                                _ => None,
                            };
                            view! {
                                <li class="oi-thumb" data-testid="outbox-photo" data-state=p.status.code()>
                                    {match url {
                                        Some(url) => view! { <img src=url alt="" width="48" height="48"/> }.into_any(),
                                        // On the server: the phone keeps no picture of it.
                                        None => view! { <span class="oi-thumb-done" aria-hidden="true">"✓"</span> }.into_any(),
                                    }}
                                    {progress.map(|f| view! {
                                        <progress max="1" value=f.to_string() aria-label=s.photo_title></progress>
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="oi-photo-summary">{summary}</p>
            </div>
        })
    }
}

fn state_text(d: Delivery) -> &'static str {
    crate::i18n::delivery_label(d)
}

fn place_text(row: &OutboxRow) -> String {
    let r = &row.report;
    let coords = format!("{:.4}, {:.4}", r.lat, r.lon);
    match (r.place.is_empty(), r.accuracy_m) {
        (false, _) => format!("{} ({coords})", r.place),
        (true, Some(a)) => format!("{coords} {}", i18n::accuracy(a)),
        (true, None) => format!("{} ({coords})", t().manual_location),
    }
}

/// A supervisor's decision on one report, once the office document carries it.
#[component]
fn ReviewLine(report_id: String) -> impl IntoView {
    let reviews = Ctx::get().sync.reviews;
    move || {
        reviews.with(|m| m.get(&report_id).cloned()).map(|r| {
            let label = ReviewStatus::from_code(&r.status)
                .map_or_else(|| r.status.clone(), |s| i18n::status_label(s).to_owned());
            // The supervisor's words are shown as written, in any interface language.
            let note = (!r.note.is_empty()).then(|| {
                view! { {t().note_separator} <span translate="no">{r.note.clone()}</span> }
            });
            view! {
                <p class=format!("oi-review status-{}", r.status) data-testid="outbox-review" data-status=r.status.clone()>
                    {t().review_prefix}
                    {label}
                    {note}
                </p>
            }
        })
    }
}

/// The rider's reports, newest first, each with 本机已保存 / 发送中 / 服务器已收到.
#[component]
pub fn OutboxList() -> impl IntoView {
    let rows = Ctx::get().sync.rows;
    let s = t();
    view! {
        <section class="group outbox" aria-labelledby="outbox-title">
            <h2 class="group-title" id="outbox-title">{s.outbox_title}</h2>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=move || view! { <p class="empty">{s.outbox_empty}</p> }
            >
                <ul class="cells outbox-list">
                    <For
                        each=move || rows.get()
                        key=|row| (row.report.id.clone(), row.delivery)
                        children=move |row| {
                            let state = row.delivery;
                            let label = row
                                .report
                                .category()
                                .map_or_else(|| row.report.category.clone(), |c| i18n::category_label(c).to_owned());
                            let place = place_text(&row);
                            let typed_place = !row.report.place.is_empty();
                            let when = time::short(row.report.created_at as f64);
                            let note = row.report.note.clone();
                            view! {
                                <li class="cell outbox-item" data-testid="outbox-item" data-state=state.code()>
                                    <div class="oi-main">
                                        <p class="oi-title">{label}</p>
                                        {(!note.is_empty()).then(|| view! { <p class="oi-note" translate="no">{note}</p> })}
                                        <p class="oi-meta">
                                            <time>{when}</time>
                                            " · "
                                            <span translate=typed_place.then_some("no")>{place}</span>
                                        </p>
                                        <ReportPhotos report_id=row.report.id.clone()/>
                                        <ReviewLine report_id=row.report.id.clone()/>
                                    </div>
                                    <span class=format!("oi-state state-{}", state.code())>
                                        {state_text(state)}
                                    </span>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
