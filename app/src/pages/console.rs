//! 隐患处置台: the supervisors' list of synced reports, updated live from the feed.
//!
//! The feed is opened before the list is fetched and rows are merged by id, so a report that
//! arrives while the list loads is neither lost nor shown twice. The list is one signal that
//! both the fetch and the feed write into: a `LocalResource` for the fetch (and an `Action`
//! per decision) measured 34 KB more wasm (14 KB gzip) for a second copy of the rows and an
//! effect to merge them. After the feed reconnects, or
//! when the server says rows were dropped (`resync`), the list is fetched again.

use std::cell::Cell;

use leptos::{ev::KeyboardEvent, prelude::*};
use model::api::{CountySettings, MAX_AWARD, ReportKey, ReviewForm, ReviewStatus};
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use crate::{
    desk::{self, Desk},
    error::AppError,
    i18n::{self, t},
    net::{
        api,
        feed::{Feed, FeedEvent},
        row::{self, Filter, Near, ReportRow, merge},
    },
    pages::{
        catalogue::CataloguePanel,
        settings::SettingsPanel,
        viewer::{PhotoViewer, Viewing},
    },
    time,
};

/// How many rows the console asks for.
const LIMIT: u32 = 200;

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

fn location_text(r: &ReportRow) -> String {
    let coords = format!("{:.5}, {:.5}", r.lat, r.lon);
    if r.location_source == model::LocationSource::Manual {
        let place = if r.place.is_empty() {
            String::new()
        } else {
            format!(" {}", r.place)
        };
        format!("{}{place} ({coords})", t().manual_location)
    } else {
        let acc = r.accuracy_m.map(i18n::accuracy).unwrap_or_default();
        let place = if r.place.is_empty() {
            String::new()
        } else {
            format!(" · {}", r.place)
        };
        format!("{coords} {acc}{place}")
    }
}

/// A report whose duplicate is being chosen, and the candidates, numbered from 1.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    rider_id: i64,
    id: String,
    candidates: Vec<ReportRow>,
}

/// A decision whose note is picked by number from a list: `i` (a reason) and `f` (a department).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Reason,
    Department,
}

impl Pick {
    fn status(self) -> ReviewStatus {
        match self {
            Pick::Reason => ReviewStatus::Invalid,
            Pick::Department => ReviewStatus::Forwarded,
        }
    }

    /// The county's reasons for an invalid report (they go to the rider as written), or its
    /// departments.
    fn choices(self, settings: &CountySettings) -> &[String] {
        match self {
            Pick::Reason => &settings.reasons,
            Pick::Department => &settings.departments,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Pick::Reason => t().console_reject_title,
            Pick::Department => t().console_forward_title,
        }
    }
}

/// The award of a valid report: points (the category's default, 0–100) and a note. Enter gives
/// it, Escape goes back to the report.
#[component]
fn AwardForm(default: u32, on_done: Callback<Option<(u32, String)>>) -> impl IntoView {
    let s = t();
    let points = RwSignal::new(default.to_string());
    let note = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    // Focused with its default selected, so typing replaces it: once the value is drawn.
    Effect::new(move || {
        if let Some(el) = input.get() {
            request_animation_frame(move || {
                let _ = el.focus();
                el.select();
            });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(p) = points.get_untracked().trim().parse::<u32>()
            && p <= MAX_AWARD
        {
            on_done.run(Some((p, note.get_untracked().trim().to_owned())));
        }
    };
    let keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_done.run(None);
        }
    };
    view! {
        <form class="award-form" data-testid="award-form" on:submit=submit on:keydown=keydown>
            <label>
                {s.console_points}
                <input type="number" min="0" max="100" node_ref=input bind:value=points data-testid="award-points"/>
            </label>
            <label>
                {s.console_note}
                <input type="text" maxlength="200" bind:value=note data-testid="award-note"/>
            </label>
            <button type="submit" class="btn-mini">{i18n::status_label(ReviewStatus::Valid)}</button>
        </form>
    }
}

/// The 0-based item a key picks from a numbered list (`1` is the first).
fn numbered(key: &str) -> Option<usize> {
    key.parse::<usize>().ok()?.checked_sub(1)
}

/// A list shown in a report's row whose items a number key picks.
#[component]
fn NumberedList(title: &'static str, testid: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="dup-choices" data-testid=testid>
            <p class="dup-title">{title}</p>
            <ol>{children()}</ol>
        </div>
    }
}

/// A decision with words of the supervisor's own: the reason of an invalid report or the
/// department of a forwarded one when the county's list lacks it (required), or what was done
/// for a resolved one (optional). Enter decides, Escape goes back to the report.
#[component]
fn NoteForm(status: ReviewStatus, on_done: Callback<Option<String>>) -> impl IntoView {
    let s = t();
    let note = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(el) = input.get() {
            request_animation_frame(move || {
                let _ = el.focus();
            });
        }
    });
    let required = status != ReviewStatus::Resolved;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked().trim().to_owned();
        if !(required && text.is_empty()) {
            on_done.run(Some(text));
        }
    };
    let keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_done.run(None);
        }
    };
    let label = match status {
        ReviewStatus::Invalid => s.console_own_reason,
        ReviewStatus::Forwarded => s.console_own_department,
        _ => s.console_resolve_note,
    };
    view! {
        <form class="award-form" data-testid="note-form" on:submit=submit on:keydown=keydown>
            <label>
                {label}
                <input type="text" maxlength="200" node_ref=input bind:value=note data-testid="note-text"/>
            </label>
            <button type="submit" class="btn-mini">{i18n::status_label(status)}</button>
        </form>
    }
}

/// The row a keyboard event happened on, with its rider and report ids.
fn event_row(ev: &KeyboardEvent) -> Option<(web_sys::HtmlElement, i64, String)> {
    let row = ev
        .target()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
        .filter(|e| e.get_attribute("data-testid").as_deref() == Some("console-row"))?;
    let rider = row.get_attribute("data-rider")?.parse().ok()?;
    let id = row.get_attribute("data-id")?;
    Some((row, rider, id))
}

/// Focuses the row after (`down`) or before `row`; true when there was one.
fn focus_sibling(row: &web_sys::Element, down: bool) -> bool {
    let next = if down {
        row.next_element_sibling()
    } else {
        row.previous_element_sibling()
    };
    next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| el.focus().is_ok())
}

/// How often a thumbnail that failed to load is tried again, and after what pause.
const PHOTO_RETRIES: u32 = 5;
const PHOTO_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// A stored photo's thumbnail: a click opens the viewer (`on_open`); a middle click or one with
/// a modifier key opens the photo in a tab. A failed load (the network dropped, the server
/// restarted) is tried again a few times with a fresh URL.
#[component]
fn ConsolePhoto(sha: String, on_open: Callback<()>) -> impl IntoView {
    let s = t();
    let url = format!("/api/photos/{sha}");
    let tries = RwSignal::new(0u32);
    let src = {
        let url = url.clone();
        move || match tries.get() {
            0 => url.clone(),
            n => format!("{url}?retry={n}"),
        }
    };
    let on_error = move |_| {
        let n = tries.get_untracked();
        if n < PHOTO_RETRIES {
            set_timeout(
                move || {
                    let _ = tries.try_set(n + 1);
                },
                PHOTO_RETRY_AFTER * (n + 1),
            );
        }
    };
    view! {
        <a
            href=url
            target="_blank"
            rel="noopener"
            class="console-photo"
            aria-label=s.console_photo_open
            on:click=move |ev: leptos::ev::MouseEvent| {
                if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
                    ev.prevent_default();
                    on_open.run(());
                }
            }
        >
            <img
                src=src
                loading="lazy"
                alt=""
                width="56"
                height="42"
                data-testid="console-photo"
                on:error=on_error
            />
        </a>
    }
}

/// 兑换核销: the rider reads out a pickup code, the supervisor types it and hands the reward
/// over; the server accepts each code once.
#[component]
fn PickupBox() -> impl IntoView {
    let s = t();
    let code = RwSignal::new(String::new());
    // The last answer: handed over (true) or refused (false), in words.
    let answer = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.trim().is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let said = match api::pickup(&typed).await {
                Ok(p) => {
                    code.set(String::new());
                    (
                        true,
                        i18n::handed_over(&p.reward, &p.rider_name, &p.rider_login),
                    )
                }
                Err(e) => (false, e.to_string()),
            };
            let _ = answer.try_set(Some(said));
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="pickup console-bar" on:submit=submit>
            <label class="pickup-label" for="pickup-code">{s.pickup_title}</label>
            <input
                id="pickup-code"
                type="text"
                inputmode="numeric"
                autocomplete="off"
                maxlength="6"
                placeholder=s.pickup_code
                aria-label=s.pickup_code
                prop:value=move || code.get()
                on:input=move |ev| code.set(event_target_value(&ev))
            />
            <button type="submit" class="btn-mini" disabled=move || busy.get()>
                {s.pickup_submit}
            </button>
            {move || answer.get().map(|(ok, text)| view! {
                <p class="pickup-result" class:form-error=!ok role="status" data-testid="pickup-result">{text}</p>
            })}
        </form>
    }
}

/// 通知骑手: a notice to every rider of the county, sent after a second click that says so.
#[component]
fn NoticeBox() -> impl IntoView {
    let s = t();
    let text = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let answer = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if text.with_untracked(|t| t.trim().is_empty()) || busy.get_untracked() {
            return;
        }
        if !asking.get_untracked() {
            asking.set(true);
            return;
        }
        asking.set(false);
        busy.set(true);
        let typed = text.get_untracked();
        leptos::task::spawn_local(async move {
            let said = match api::send_notice(&typed).await {
                Ok(sent) => {
                    let _ = text.try_set(String::new());
                    (true, i18n::notice_sent(sent.riders))
                }
                Err(e) => (false, e.to_string()),
            };
            let _ = answer.try_set(Some(said));
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="pickup console-bar notice-box" on:submit=submit>
            <label class="pickup-label" for="notice-text">{s.notice_send_title}</label>
            <input
                id="notice-text"
                type="text"
                class="console-search"
                maxlength="200"
                autocomplete="off"
                placeholder=s.notice_placeholder
                data-testid="notice-text"
                prop:value=move || text.get()
                on:input=move |ev| {
                    asking.set(false);
                    text.set(event_target_value(&ev));
                }
            />
            <button
                type="submit"
                class="btn-mini"
                class:btn-mini-danger=move || asking.get()
                data-testid="notice-send"
                disabled=move || busy.get()
            >
                {move || if asking.get() { s.notice_confirm } else { s.notice_send }}
            </button>
            {move || answer.get().map(|(ok, said)| view! {
                <p class="pickup-result" class:form-error=!ok role="status" data-testid="notice-result">{said}</p>
            })}
        </form>
    }
}

/// 统计: the county's reports per week and category, and this month's riders by points.
#[component]
fn StatsPanel() -> impl IntoView {
    let s = t();
    let stats = RwSignal::new(None::<Result<model::api::Stats, String>>);
    leptos::task::spawn_local(async move {
        let got = api::stats(8).await.map_err(|e| e.to_string());
        let _ = stats.try_set(Some(got));
    });
    let hours = |ms: Option<i64>| {
        ms.map(|ms| i18n::hours(ms as f64 / 3_600_000.0))
            .unwrap_or_else(|| "—".to_owned())
    };
    view! {
        <section class="console-stats" data-testid="stats">
            {move || match stats.get() {
                None => view! { <p class="empty">{s.loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(st)) => view! {
                    <table class="console-table stats-table">
                        <caption>{s.stats_weeks}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{s.stats_week}</th>
                                <th scope="col">{s.console_col_category}</th>
                                <th scope="col">{s.stats_received}</th>
                                <th scope="col">{s.stats_valid_rate}</th>
                                <th scope="col">{s.stats_median}</th>
                                <th scope="col">{s.stats_points}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {st.weeks.iter().map(|w| {
                                let rate = (w.valid * 100)
                                    .checked_div(w.decided)
                                    .map_or_else(|| "—".to_owned(), |r| format!("{r}%"));
                                view! {
                                    <tr data-testid="stats-row">
                                        <td>{time::day(w.week as f64)}</td>
                                        <td>{i18n::category_label(w.category)}</td>
                                        <td>{w.received}</td>
                                        <td>{rate}</td>
                                        <td>{hours(w.median_decision_ms)}</td>
                                        <td>{i18n::number(w.points.max(0) as u64)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="console-table stats-table">
                        <caption>{s.stats_riders}</caption>
                        <tbody>
                            {st.riders.iter().enumerate().map(|(i, r)| view! {
                                <tr data-testid="stats-rider">
                                    <td>{i + 1}</td>
                                    <td translate="no">{r.name.clone()}</td>
                                    <td>{i18n::number(r.points.max(0) as u64)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

/// A button that shows and hides one of the console's panels.
fn panel_toggle(shown: RwSignal<bool>, label: &'static str, testid: &'static str) -> impl IntoView {
    view! {
        <button
            type="button"
            class="btn-mini"
            aria-expanded=move || if shown.get() { "true" } else { "false" }
            data-testid=testid
            on:click=move |_| shown.update(|v| *v = !*v)
        >
            {label}
        </button>
    }
}

/// Who is logged in: name · county.
fn who(desk: Desk) -> impl IntoView {
    let who = move || {
        desk.session.me.with(|m| {
            m.as_ref()
                .map(|m| format!("{} · {}", m.user.name, m.user.county_name.get(i18n::lang())))
                .unwrap_or_default()
        })
    };
    view! { <p class="console-who" translate="no">{who}</p> }
}

fn logout_button(desk: Desk) -> impl IntoView {
    view! {
        <button
            type="button"
            class="btn-mini btn-mini-danger"
            on:click=move |_| leptos::task::spawn_local(desk::log_out(desk))
        >
            {t().logout}
        </button>
    }
}

/// 驿站兑换核销: what station staff see: the pickup box, nothing of the reports.
#[component]
pub fn CounterPage() -> impl IntoView {
    let desk = Desk::get();
    let s = t();
    view! {
        <section class="console counter" data-testid="counter">
            <div class="console-bar">
                <p class="console-count">{s.counter_title}</p>
                {who(desk)}
                {logout_button(desk)}
            </div>
            <PickupBox/>
            <p class="group-note">{s.counter_note}</p>
        </section>
    }
}

/// The triage console.
#[component]
pub fn ConsolePage() -> impl IntoView {
    let desk = Desk::get();
    let s = t();
    let rows = RwSignal::new(Vec::<ReportRow>::new());
    let load = RwSignal::new(Load::Loading);
    let filter = RwSignal::new(Filter::default());
    // The county's reasons, departments and awards; the defaults until they arrive.
    let settings = RwSignal::new(CountySettings::default());
    // The county's stations, for the distance filter.
    let stations = RwSignal::new(Vec::<model::api::StationItem>::new());
    leptos::task::spawn_local(async move {
        if let Ok(got) = api::settings().await {
            let _ = settings.try_set(got);
        }
        if let Ok(got) = api::stations().await {
            let _ = stations.try_set(got);
        }
    });

    // The cursor of the next, older page, while there is one; and whether it is being fetched.
    let next = RwSignal::new(None::<String>);
    let paging = RwSignal::new(false);
    // Bumped whenever the list starts over (a new filter, a resync): answers to requests
    // made before are stale, whether they bring rows or an error.
    let epoch = RwSignal::new(0u32);
    let fetch_page = move |cursor: Option<String>| {
        let wanted = filter.get_untracked();
        let asked_in = epoch.get_untracked();
        leptos::task::spawn_local(async move {
            let got = api::reports(LIMIT, &wanted, cursor.as_deref()).await;
            let _ = paging.try_set(false);
            if epoch.try_get_untracked() != Some(asked_in) {
                return;
            }
            match got {
                // A newer filter's answer is on its way: this one is stale.
                Ok(_) if filter.get_untracked() != wanted => {}
                Ok((list, more)) => {
                    // A reload of the first page keeps the place of pages already fetched.
                    if cursor.is_some() || rows.with_untracked(|r| r.len() <= LIMIT as usize) {
                        next.set(more);
                    }
                    rows.update(|cur| {
                        for row in list {
                            merge(cur, row);
                        }
                    });
                    load.set(Load::Ready);
                }
                Err(AppError::Unauthorized) => desk.log_in_again(),
                Err(AppError::Network(_)) => load.set(Load::Failed(s.console_offline.to_owned())),
                Err(e) => load.set(Load::Failed(format!(
                    "{}{}{e}",
                    s.console_load_failed, s.note_separator
                ))),
            }
        });
    };
    let fetch = move || fetch_page(None);
    let more = move || {
        if let Some(cursor) = next.get_untracked()
            && !paging.get_untracked()
        {
            paging.set(true);
            fetch_page(Some(cursor));
        }
    };

    let was_down = std::rc::Rc::new(Cell::new(false));
    let feed = Feed::open(move |event| match event {
        FeedEvent::Open => {
            desk.feed_live.set(true);
            if was_down.replace(false) {
                fetch();
            }
        }
        // A new report joins the list if it passes the filters; a listed one is updated.
        FeedEvent::Row(row) => rows.update(|cur| {
            if cur.iter().any(|r| r.id == row.id) || filter.with_untracked(|f| f.matches(&row)) {
                merge(cur, row);
            }
        }),
        // The feed dropped rows: the list starts over.
        FeedEvent::Resync => {
            epoch.update(|e| *e = e.wrapping_add(1));
            next.set(None);
            rows.set(Vec::new());
            fetch();
        }
        FeedEvent::Down => {
            desk.feed_live.set(false);
            was_down.set(true);
        }
    });
    let feed = SendWrapper::new(feed);
    on_cleanup(move || {
        drop(feed);
        desk.feed_live.set(false);
    });
    fetch();

    // One decision at a time per report; a refusal is said in the report's row.
    let failed = RwSignal::new(None::<(String, String)>);
    let decide_with = move |rider_id: i64, id: String, form: ReviewForm| {
        failed.set(None);
        leptos::task::spawn_local(async move {
            match api::review(rider_id, &id, &form).await {
                Ok(row) => rows.update(|cur| merge(cur, row)),
                Err(e) => {
                    let text = format!("{}{}{e}", s.console_review_failed, s.note_separator);
                    let _ = failed.try_set(Some((id, text)));
                }
            }
        });
    };
    let decide = move |rider_id: i64, id: String, status: ReviewStatus, of: Option<ReportKey>| {
        let form = ReviewForm {
            status,
            note: String::new(),
            points: None,
            duplicate_of: of,
        };
        decide_with(rider_id, id, form);
    };
    // `v` opens the award (points, note) of a report; `i` and `f` a list picked by number.
    let awarding = RwSignal::new(None::<String>);
    // `r`, or `0` in a list: a decision with the supervisor's own words.
    let writing = RwSignal::new(None::<(String, ReviewStatus)>);
    let picking = RwSignal::new(None::<(String, Pick)>);
    // `d` on a report with earlier reports nearby: which one it repeats, chosen by number.
    let choosing = RwSignal::new(None::<Choice>);
    // `p` or a click on a thumbnail: the report's photos, full size.
    let viewing = RwSignal::new(None::<Viewing>);
    let view_photos = move |id: &str, at: usize| {
        let photos = rows.with_untracked(|cur| {
            cur.iter()
                .find(|r| r.id == id)
                .map(|r| {
                    r.photos
                        .iter()
                        .filter(|sha| r.photos_stored.contains(sha))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        if !photos.is_empty() {
            viewing.set(Some(Viewing {
                report: id.to_owned(),
                at: at.min(photos.len() - 1),
                photos,
            }));
        }
    };
    // Reports ticked (`x` or the box) to be marked invalid together: open ones only.
    let selected = RwSignal::new(std::collections::BTreeSet::<(i64, String)>::new());
    let toggle = move |rider_id: i64, id: String| {
        let open = rows.with_untracked(|cur| {
            cur.iter()
                .any(|r| r.id == id && r.rider_id == rider_id && r.status == ReviewStatus::New)
        });
        selected.update(|set| {
            let key = (rider_id, id);
            if !set.remove(&key) && open {
                set.insert(key);
            }
        });
    };
    let duplicate = move |row: web_sys::HtmlElement, rider_id: i64, id: String| {
        leptos::task::spawn_local(async move {
            match api::duplicates(rider_id, &id).await {
                Ok(list) if !list.is_empty() => {
                    let _ = choosing.try_set(Some(Choice {
                        rider_id,
                        id,
                        candidates: list,
                    }));
                }
                // Nothing nearby to link to: a duplicate of nothing shown here.
                _ => {
                    focus_sibling(&row, true);
                    decide(rider_id, id, ReviewStatus::Duplicate, None);
                }
            }
        });
    };
    // The keyboard: j/k (or the arrows) move between rows, a decision key decides the row and
    // moves on, ? shows the keys, Escape hides them.
    let help = RwSignal::new(false);
    let on_key = move |ev: KeyboardEvent| {
        let key = ev.key();
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .is_some();
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing {
            return;
        }
        match key.as_str() {
            "?" => {
                help.update(|h| *h = !*h);
                ev.prevent_default();
                return;
            }
            "Escape" => {
                help.set(false);
                choosing.set(None);
                picking.set(None);
                writing.set(None);
                return;
            }
            _ => {}
        }
        let Some((row, rider_id, id)) = event_row(&ev) else {
            return;
        };
        // While a list is shown, a number picks from it; 0 asks for words of one's own.
        if let Some((_, pick)) = picking.get_untracked().filter(|(p, _)| *p == id) {
            if key == "0" {
                picking.set(None);
                writing.set(Some((id, pick.status())));
                ev.prevent_default();
                return;
            }
            let picked = settings
                .with_untracked(|s| numbered(&key).and_then(|n| pick.choices(s).get(n).cloned()));
            if let Some(note) = picked {
                picking.set(None);
                focus_sibling(&row, true);
                let form = ReviewForm {
                    status: pick.status(),
                    note,
                    points: None,
                    duplicate_of: None,
                };
                decide_with(rider_id, id, form);
                ev.prevent_default();
            }
            return;
        }
        // While the candidates are shown, a number picks one.
        if let Some(choice) = choosing.get_untracked().filter(|c| c.id == id) {
            let picked = numbered(&key).and_then(|n| choice.candidates.get(n));
            if let Some(first) = picked {
                let of = ReportKey {
                    rider_id: first.rider_id,
                    id: first.id.clone(),
                };
                choosing.set(None);
                focus_sibling(&row, true);
                decide(rider_id, id, ReviewStatus::Duplicate, Some(of));
                ev.prevent_default();
            }
            return;
        }
        match key.as_str() {
            "j" | "ArrowDown" => {
                focus_sibling(&row, true);
            }
            "k" | "ArrowUp" => {
                focus_sibling(&row, false);
            }
            "d" => duplicate(row, rider_id, id),
            "v" => awarding.set(Some(id)),
            "i" => picking.set(Some((id, Pick::Reason))),
            "f" => picking.set(Some((id, Pick::Department))),
            "x" => toggle(rider_id, id),
            "p" => view_photos(&id, 0),
            "r" => writing.set(Some((id, ReviewStatus::Resolved))),
            _ => return,
        }
        ev.prevent_default();
    };

    // A new filter: the list is fetched again for it.
    let refilter = move || {
        epoch.update(|e| *e = e.wrapping_add(1));
        rows.set(Vec::new());
        next.set(None);
        load.set(Load::Loading);
        fetch();
    };
    let show_stats = RwSignal::new(false);
    let show_catalogue = RwSignal::new(false);
    let show_settings = RwSignal::new(false);
    let show_stations = RwSignal::new(false);
    let show_alerts = RwSignal::new(false);
    let show_wishes = RwSignal::new(false);
    let show_checkins = RwSignal::new(false);
    let show_coverage = RwSignal::new(false);
    // The selected reports, marked invalid one after the other with the reason picked; a
    // refusal is said in its row, and that report stays selected.
    let batch_reason = RwSignal::new(0usize);
    let batch_busy = RwSignal::new(false);
    let mark_invalid = move |_| {
        let picked: Vec<(i64, String)> = selected.get_untracked().into_iter().collect();
        let note = settings.with_untracked(|st| {
            st.reasons
                .get(batch_reason.get_untracked())
                .cloned()
                .unwrap_or_default()
        });
        batch_busy.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            for (rider_id, id) in picked {
                let form = ReviewForm {
                    status: ReviewStatus::Invalid,
                    note: note.clone(),
                    points: None,
                    duplicate_of: None,
                };
                match api::review(rider_id, &id, &form).await {
                    Ok(row) => {
                        let _ = rows.try_update(|cur| merge(cur, row));
                        let _ = selected.try_update(|set| set.remove(&(rider_id, id)));
                    }
                    Err(e) => {
                        let text = format!("{}{}{e}", s.console_review_failed, s.note_separator);
                        let _ = failed.try_set(Some((id, text)));
                    }
                }
            }
            let _ = batch_busy.try_set(false);
        });
    };

    view! {
        <section class="console">
            <div class="console-bar">
                <p class="console-count" data-testid="console-count">
                    {move || i18n::total(rows.with(Vec::len))}
                </p>
                {who(desk)}
                <button type="button" class="btn-mini" on:click=move |_| fetch()>
                    {s.console_reload}
                </button>
                <button
                    type="button"
                    class="btn-mini"
                    aria-expanded=move || if help.get() { "true" } else { "false" }
                    on:click=move |_| help.update(|h| *h = !*h)
                >
                    {s.console_keys}
                </button>
                {logout_button(desk)}
            </div>
            <PickupBox/>
            <NoticeBox/>
            <form class="console-bar console-filters" on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                <select
                    aria-label=s.filter_status
                    data-testid="filter-status"
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        filter.update(|f| f.status = ReviewStatus::from_code(&code));
                        refilter();
                    }
                >
                    <option value="">{s.filter_all_statuses}</option>
                    {std::iter::once(ReviewStatus::New)
                        .chain(ReviewStatus::DECISIONS)
                        .map(|st| view! { <option value=st.code()>{i18n::status_label(st)}</option> })
                        .collect_view()}
                </select>
                <select
                    aria-label=s.filter_category
                    data-testid="filter-category"
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        filter.update(|f| f.category = model::Category::from_code(&code));
                        refilter();
                    }
                >
                    <option value="">{s.filter_all_categories}</option>
                    {model::Category::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.code()>{i18n::category_label(c)}</option> })
                        .collect_view()}
                </select>
                <label class="console-date">
                    {s.filter_from}
                    <input
                        type="date"
                        data-testid="filter-from"
                        on:change=move |ev| {
                            let day = event_target_value(&ev);
                            filter.update(|f| f.from = row::day_start(&day));
                            refilter();
                        }
                    />
                </label>
                <label class="console-date">
                    {s.filter_to}
                    <input
                        type="date"
                        data-testid="filter-to"
                        on:change=move |ev| {
                            let day = event_target_value(&ev);
                            // Up to the end of the day picked.
                            filter.update(|f| f.to = row::day_start(&day).map(|t| t + 86_400_000));
                            refilter();
                        }
                    />
                </label>
                <select
                    aria-label=s.filter_near
                    data-testid="filter-station"
                    on:change=move |ev| {
                        let id = event_target_value(&ev);
                        let picked = stations.with_untracked(|all| all.iter().find(|st| st.id == id).cloned());
                        filter.update(|f| {
                            let within_m = f.near.as_ref().map_or(1000, |n| n.within_m);
                            f.near = picked.map(|st| Near { station: st.id, lat: st.station.lat, lon: st.station.lon, within_m });
                        });
                        refilter();
                    }
                >
                    <option value="">{s.filter_all_places}</option>
                    {move || stations.with(|all| all.iter().map(|st| view! {
                        <option value=st.id.clone() translate="no">{format!("{} {}", s.filter_near, st.station.name)}</option>
                    }).collect_view())}
                </select>
                <Show when=move || filter.with(|f| f.near.is_some())>
                    <select
                        aria-label=s.filter_near
                        data-testid="filter-within"
                        on:change=move |ev| {
                            let m = event_target_value(&ev).parse().unwrap_or(1000);
                            filter.update(|f| {
                                if let Some(n) = &mut f.near {
                                    n.within_m = m;
                                }
                            });
                            refilter();
                        }
                    >
                        {[500u32, 1000, 3000, 5000].into_iter().map(|m| view! {
                            <option
                                value=m.to_string()
                                selected=move || filter.with(|f| f.near.as_ref().is_some_and(|n| n.within_m == m))
                            >
                                {i18n::within(m)}
                            </option>
                        }).collect_view()}
                    </select>
                </Show>
                <input
                    type="search"
                    class="console-search"
                    aria-label=s.filter_search
                    placeholder=s.filter_search
                    data-testid="filter-search"
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        filter.update(|f| f.text = text);
                        refilter();
                    }
                />
                {move || filter.with(|f| f.rider.clone()).map(|(_, name)| view! {
                    <button
                        type="button"
                        class="btn-mini filter-chip"
                        title=s.filter_rider_clear
                        aria-label=s.filter_rider_clear
                        data-testid="rider-chip"
                        on:click=move |_| {
                            filter.update(|f| f.rider = None);
                            refilter();
                        }
                    >
                        <span translate="no">{i18n::rider_filter(&name)}</span>
                        " ×"
                    </button>
                })}
                <a
                    class="btn-mini btn-link-mini"
                    data-testid="export-csv"
                    download="nuanxin-reports.csv"
                    href=move || {
                        let q = filter.with(Filter::query);
                        if q.is_empty() { "/api/reports.csv".to_owned() } else { format!("/api/reports.csv?{q}") }
                    }
                >
                    {s.export_csv}
                </a>
                {panel_toggle(show_stats, s.stats_title, "stats-toggle")}
                {panel_toggle(show_catalogue, s.catalogue_title, "catalogue-toggle")}
                {panel_toggle(show_settings, s.settings_title, "settings-toggle")}
                {panel_toggle(show_stations, s.station_admin_title, "stations-toggle")}
                {panel_toggle(show_alerts, s.alerts_title, "alerts-toggle")}
                {panel_toggle(show_wishes, s.wishes_admin_title, "wishes-toggle")}
                {panel_toggle(show_checkins, s.checkins_title, "checkins-toggle")}
                {panel_toggle(show_coverage, s.coverage_title, "coverage-toggle")}
            </form>
            <Show when=move || show_stats.get()>
                <StatsPanel/>
            </Show>
            <Show when=move || show_catalogue.get()>
                <CataloguePanel/>
            </Show>
            <Show when=move || show_settings.get()>
                <SettingsPanel settings/>
            </Show>
            <Show when=move || show_stations.get()>
                <crate::pages::station_admin::StationsPanel/>
            </Show>
            <Show when=move || show_alerts.get()>
                <crate::pages::station_admin::AlertsPanel/>
            </Show>
            <Show when=move || show_wishes.get()>
                <crate::pages::county_admin::WishesPanel/>
            </Show>
            <Show when=move || show_checkins.get()>
                <crate::pages::county_admin::CheckinsPanel/>
            </Show>
            <Show when=move || show_coverage.get()>
                <crate::pages::county_admin::CoveragePanel/>
            </Show>
            <Show when=move || !selected.with(|set| set.is_empty())>
                <div class="console-bar batch-bar" data-testid="batch-bar">
                    <p class="console-count" data-testid="batch-count">{move || i18n::selected(selected.with(|set| set.len()))}</p>
                    <label class="console-date">
                        {s.batch_reason}
                        <select
                            data-testid="batch-reason"
                            on:change=move |ev| batch_reason.set(event_target_value(&ev).parse().unwrap_or(0))
                        >
                            {move || settings.with(|st| st.reasons.iter().enumerate().map(|(n, r)| view! {
                                <option value=n.to_string() selected=move || batch_reason.get() == n translate="no">{r.clone()}</option>
                            }).collect_view())}
                        </select>
                    </label>
                    <button
                        type="button"
                        class="btn-mini btn-mini-danger"
                        data-testid="batch-invalid"
                        disabled=move || batch_busy.get()
                        on:click=mark_invalid
                    >
                        {s.batch_invalid}
                    </button>
                    <button type="button" class="btn-mini" on:click=move |_| selected.set(Default::default())>
                        {s.batch_clear}
                    </button>
                </div>
            </Show>
            {move || match load.get() {
                Load::Failed(e) => Some(view! { <p class="form-error" role="alert">{e}</p> }.into_any()),
                Load::Loading => Some(view! { <p class="empty">{s.loading}</p> }.into_any()),
                Load::Ready => None,
            }}
            <Show when=move || help.get()>
                <section class="console-keys" role="dialog" aria-label=s.console_keys data-testid="console-keys">
                    <p class="group-title">{s.console_keys}</p>
                    <dl>
                        <dt><kbd>"j"</kbd>" / "<kbd>"k"</kbd></dt><dd>{s.console_key_move}</dd>
                        <dt><kbd>"v"</kbd></dt><dd>{s.console_key_valid}</dd>
                        <dt><kbd>"i"</kbd></dt><dd>{s.console_key_invalid}</dd>
                        <dt><kbd>"d"</kbd></dt><dd>{s.console_key_duplicate}</dd>
                        <dt><kbd>"f"</kbd></dt><dd>{s.console_key_forward}</dd>
                        <dt><kbd>"r"</kbd></dt><dd>{i18n::status_label(ReviewStatus::Resolved)}</dd>
                        <dt><kbd>"x"</kbd></dt><dd>{s.console_key_select}</dd>
                        <dt><kbd>"p"</kbd></dt><dd>{s.viewer_title}</dd>
                        <dt><kbd>"?"</kbd></dt><dd>{s.console_key_help}</dd>
                    </dl>
                </section>
            </Show>
            <table class="console-table" aria-label=s.console_table on:keydown=on_key>
                <thead>
                    <tr>
                        <th scope="col" class="select">
                            <input
                                type="checkbox"
                                aria-label=s.console_select_all
                                title=s.console_select_all
                                data-testid="select-all"
                                prop:checked=move || {
                                    let n = selected.with(|set| set.len());
                                    n > 0 && n == rows.with(|cur| cur.iter().filter(|r| r.status == ReviewStatus::New).count())
                                }
                                on:change=move |ev| {
                                    let all = event_target_checked(&ev);
                                    selected.set(if all {
                                        rows.with_untracked(|cur| {
                                            cur.iter()
                                                .filter(|r| r.status == ReviewStatus::New)
                                                .map(|r| (r.rider_id, r.id.clone()))
                                                .collect()
                                        })
                                    } else {
                                        Default::default()
                                    });
                                }
                            />
                        </th>
                        <th scope="col">{s.console_col_time}</th>
                        <th scope="col">{s.console_col_category}</th>
                        <th scope="col">{s.console_col_rider}</th>
                        <th scope="col">{s.console_col_note}</th>
                        <th scope="col">{s.console_col_photos}</th>
                        <th scope="col">{s.console_col_location}</th>
                        <th scope="col">{s.console_col_status}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|r| {
                            (
                                r.id.clone(),
                                r.status,
                                r.received_at,
                                r.photos_stored.len(),
                            )
                        }
                        children=move |r| {
                            let category = i18n::category_label(r.category);
                            let tr = NodeRef::<leptos::html::Tr>::new();
                            let (rid, award_id) = (r.rider_id, r.id.clone());
                            let default_points = settings.with_untracked(|s| s.award(r.category));
                            let on_award = Callback::new(move |given: Option<(u32, String)>| {
                                awarding.set(None);
                                let Some(row) = tr.get_untracked() else { return };
                                let Some((points, note)) = given else {
                                    let _ = row.focus();
                                    return;
                                };
                                if !focus_sibling(&row, true) {
                                    let _ = row.focus();
                                }
                                let form = ReviewForm {
                                    status: ReviewStatus::Valid,
                                    note,
                                    points: Some(points),
                                    duplicate_of: None,
                                };
                                decide_with(rid, award_id.clone(), form);
                            });
                            let note_id = r.id.clone();
                            let on_note = Callback::new(move |given: Option<String>| {
                                let status = writing.get_untracked().map(|(_, st)| st);
                                writing.set(None);
                                let Some(row) = tr.get_untracked() else { return };
                                let (Some(note), Some(status)) = (given, status) else {
                                    let _ = row.focus();
                                    return;
                                };
                                if !focus_sibling(&row, true) {
                                    let _ = row.focus();
                                }
                                let form = ReviewForm {
                                    status,
                                    note,
                                    points: None,
                                    duplicate_of: None,
                                };
                                decide_with(rid, note_id.clone(), form);
                            });
                            view! {
                                <tr node_ref=tr data-testid="console-row" data-id=r.id.clone() data-rider=r.rider_id tabindex="0">
                                    <td class="select">
                                        {(r.status == ReviewStatus::New).then(|| {
                                            let key = (r.rider_id, r.id.clone());
                                            let (rid, id) = key.clone();
                                            view! {
                                                <input
                                                    type="checkbox"
                                                    tabindex="-1"
                                                    aria-label=s.console_select
                                                    data-testid="select-row"
                                                    prop:checked=move || selected.with(|set| set.contains(&key))
                                                    on:change=move |_| toggle(rid, id.clone())
                                                />
                                            }
                                        })}
                                    </td>
                                    <td class="nowrap">{time::short(r.created_at as f64)}</td>
                                    <td class="nowrap">{category}</td>
                                    <td class="nowrap" translate="no">
                                        {
                                            let (rid, name) = (r.rider_id, r.rider_name.clone());
                                            view! {
                                                <button
                                                    type="button"
                                                    tabindex="-1"
                                                    class="btn-link rider-link"
                                                    title=s.filter_rider_only
                                                    data-testid="rider-filter"
                                                    on:click=move |_| {
                                                        let who = Some((rid, name.clone()));
                                                        if filter.with_untracked(|f| f.rider != who) {
                                                            filter.update(|f| f.rider = who);
                                                            refilter();
                                                        }
                                                    }
                                                >
                                                    {r.rider_name.clone()}
                                                </button>
                                            }
                                        }
                                    </td>
                                    <td class="note" translate="no">{r.note.clone()}</td>
                                    <td class="photos">
                                        {r.photos
                                            .iter()
                                            .filter(|sha| r.photos_stored.contains(*sha))
                                            .enumerate()
                                            .map(|(n, sha)| {
                                                let id = r.id.clone();
                                                let on_open = Callback::new(move |()| view_photos(&id, n));
                                                view! { <ConsolePhoto sha=sha.clone() on_open/> }
                                            })
                                            .collect_view()}
                                        {r.photos
                                            .iter()
                                            .filter(|sha| !r.photos_stored.contains(*sha))
                                            .map(|_| {
                                                view! {
                                                    <span
                                                        class="console-photo-wait"
                                                        role="img"
                                                        aria-label=s.console_photo_waiting
                                                        data-testid="console-photo-waiting"
                                                    >
                                                        {s.console_photo_waiting_short}
                                                    </span>
                                                }
                                            })
                                            .collect_view()}
                                        {r.suspicious_photo_age_hours()
                                            .map(|h| view! {
                                                <p class="photo-age" data-testid="photo-age">{i18n::photo_age(h)}</p>
                                            })}
                                    </td>
                                    <td translate=(!r.place.is_empty()).then_some("no")>{location_text(&r)}</td>
                                    <td class=format!("nowrap status status-{}", r.status.code())>
                                        <span data-testid="console-status">{i18n::status_label(r.status)}</span>
                                        {(r.status == ReviewStatus::New).then(|| {
                                            let (rid, id1, id2) = (r.rider_id, r.id.clone(), r.id.clone());
                                            view! {
                                                <span class="review-actions">
                                                    <button type="button" class="btn-mini" on:click=move |_| decide(rid, id1.clone(), ReviewStatus::Valid, None)>
                                                        {i18n::status_label(ReviewStatus::Valid)}
                                                    </button>
                                                    <button type="button" class="btn-mini btn-mini-danger" on:click=move |_| decide(rid, id2.clone(), ReviewStatus::Invalid, None)>
                                                        {i18n::status_label(ReviewStatus::Invalid)}
                                                    </button>
                                                </span>
                                            }
                                        })}
                                        {
                                            let id = r.id.clone();
                                            move || {
                                                (awarding.get().as_deref() == Some(id.as_str())).then(|| view! {
                                                    <AwardForm default=default_points on_done=on_award/>
                                                })
                                            }
                                        }
                                        {
                                            let id = r.id.clone();
                                            move || {
                                                writing.get().filter(|(w, _)| *w == id).map(|(_, status)| view! {
                                                    <NoteForm status on_done=on_note/>
                                                })
                                            }
                                        }
                                        {
                                            let id = r.id.clone();
                                            move || {
                                                picking.get().filter(|(p, _)| *p == id).map(|(_, pick)| view! {
                                                    <NumberedList title=pick.title() testid="pick-list">
                                                        {settings.with(|s| pick.choices(s).iter().map(|r| view! {
                                                            <li data-testid="pick-choice" translate="no">{r.clone()}</li>
                                                        }).collect_view())}
                                                    </NumberedList>
                                                })
                                            }
                                        }
                                        {
                                            // The earlier reports this one may repeat, numbered.
                                            let id = r.id.clone();
                                            move || {
                                                choosing.get().filter(|c| c.id == id).map(|c| {
                                                    view! {
                                                        <NumberedList title=s.console_dup_title testid="dup-choices">
                                                            {c.candidates.into_iter().map(|o| view! {
                                                                <li data-testid="dup-choice">
                                                                    {time::short(o.created_at as f64)} " · "
                                                                    <span translate="no">{o.rider_name} " · " {o.note}</span>
                                                                    " · " {i18n::status_label(o.status)}
                                                                </li>
                                                            }).collect_view()}
                                                        </NumberedList>
                                                    }
                                                })
                                            }
                                        }
                                        {
                                            // A failed decision is said in its own row.
                                            let id = r.id.clone();
                                            move || {
                                                failed.with(|f| {
                                                    f.as_ref().filter(|(fid, _)| *fid == id).map(|(_, e)| {
                                                        view! { <p class="form-error review-error" role="alert">{e.clone()}</p> }
                                                    })
                                                })
                                            }
                                        }
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            <Show when=move || load.get() == Load::Ready && rows.with(Vec::is_empty)>
                <p class="empty">{s.console_empty}</p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button
                    type="button"
                    class="btn-mini reports-more"
                    data-testid="reports-more"
                    disabled=move || paging.get()
                    on:click=move |_| more()
                >
                    {s.console_more}
                </button>
            </Show>
            <Show when=move || viewing.with(Option::is_some)>
                <PhotoViewer viewing/>
            </Show>
        </section>
    }
}
