//! The console's county panels: 微心愿审核 (the county's wishes and the step each can take),
//! 驿站签到 (check-ins per station, per day and per hour) and 覆盖缺口 (where reports and
//! check-ins lie beyond 15 riding minutes of every open station: where the next station goes).

use leptos::prelude::*;
use model::api::{WishItem, WishStepForm};

use crate::{
    i18n::{self, t},
    net::api,
    time,
};

/// The wishes not settled (pending, approved, claimed) first, then the rest, with their steps.
#[component]
pub fn WishesPanel() -> impl IntoView {
    let s = t();
    let items = RwSignal::new(Vec::<WishItem>::new());
    let said = RwSignal::new(None::<(bool, String)>);
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::wishes().await {
            let _ = items.try_set(list);
        }
    });
    let step = move |item: &WishItem, action: &'static str, words: String| {
        let form = WishStepForm {
            action: action.to_owned(),
            reason: if action == "reject" {
                words.clone()
            } else {
                String::new()
            },
            org: if action == "claim" {
                words
            } else {
                String::new()
            },
        };
        let (rider_id, id) = (item.rider_id, item.id.clone());
        leptos::task::spawn_local(async move {
            match api::wish_step(rider_id, &id, &form).await {
                Ok(moved) => {
                    let _ = items.try_update(|all| {
                        if let Some(old) = all
                            .iter_mut()
                            .find(|w| w.id == moved.id && w.rider_id == moved.rider_id)
                        {
                            *old = moved;
                        }
                    });
                    let _ = said.try_set(None);
                }
                Err(e) => {
                    let _ = said.try_set(Some((false, e.to_string())));
                }
            }
        });
    };
    let rows = move || {
        let mut all = items.get();
        let settled = |w: &WishItem| matches!(w.status.as_str(), "rejected" | "fulfilled");
        all.sort_by_key(settled);
        all.into_iter()
            .map(|w| {
                let words = RwSignal::new(String::new());
                let status = w.status.clone();
                let (a, b, c, d) = (w.clone(), w.clone(), w.clone(), w.clone());
                let actions = match status.as_str() {
                    "pending" => view! {
                        <button type="button" class="btn-mini" data-testid="wish-approve" on:click=move |_| step(&a, "approve", String::new())>{s.wish_approve}</button>
                        <input class="wish-words" placeholder=s.wish_reason aria-label=s.wish_reason data-testid="wish-reason" maxlength="40"
                            on:input=move |ev| words.set(event_target_value(&ev))/>
                        <button type="button" class="btn-mini" data-testid="wish-reject" on:click=move |_| step(&b, "reject", words.get_untracked())>{s.wish_reject}</button>
                    }
                    .into_any(),
                    "approved" => view! {
                        <input class="wish-words" placeholder=s.wish_org aria-label=s.wish_org data-testid="wish-org" maxlength="40"
                            on:input=move |ev| words.set(event_target_value(&ev))/>
                        <button type="button" class="btn-mini" data-testid="wish-claim" on:click=move |_| step(&c, "claim", words.get_untracked())>{s.wish_claim}</button>
                    }
                    .into_any(),
                    "claimed" => view! {
                        <button type="button" class="btn-mini" data-testid="wish-fulfil" on:click=move |_| step(&d, "fulfil", String::new())>{s.wish_fulfil}</button>
                    }
                    .into_any(),
                    _ => ().into_any(),
                };
                let words_shown = if w.org.is_empty() { w.reason.clone() } else { w.org.clone() };
                view! {
                    <tr data-testid="wish-row" data-status=w.status.clone()>
                        <td translate="no">{w.text.clone()}</td>
                        <td translate="no">{w.rider_name.clone()}</td>
                        <td><time>{time::short(w.at as f64)}</time></td>
                        <td data-testid="wish-status">{i18n::wish_status(&w.status)}</td>
                        <td translate="no">{words_shown}</td>
                        <td class="wish-actions">{actions}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="panel wish-admin" data-testid="wish-admin">
            <h2>{s.wishes_admin_title}</h2>
            {move || said.get().map(|(_, text)| view! { <p class="error" role="alert">{text}</p> })}
            <Show
                when=move || !items.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{s.wishes_admin_empty}</p> }
            >
                <table class="console-table">
                    <tbody>{rows}</tbody>
                </table>
            </Show>
        </section>
    }
}

/// A day of China Standard Time as month/day ("11/27"), whatever the browser's time zone.
fn cst_day(start_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        (start_ms + 8 * 3_600_000) as f64,
    ));
    format!("{}/{}", d.get_utc_month() + 1, d.get_utc_date())
}

/// Check-ins at each station over the last seven days, and by hour of the day.
#[component]
pub fn CheckinsPanel() -> impl IntoView {
    let s = t();
    let stats = RwSignal::new(None::<model::api::CheckinStats>);
    leptos::task::spawn_local(async move {
        if let Ok(got) = api::checkins().await {
            let _ = stats.try_set(Some(got));
        }
    });
    let table = move || {
        let stats = stats.get()?;
        let heads = stats
            .days
            .iter()
            .map(|d| view! { <th scope="col">{cst_day(*d)}</th> })
            .collect_view();
        let rows = stats
            .stations
            .into_iter()
            .map(|st| {
                let days = st.by_day.iter().map(|n| view! { <td>{*n}</td> }).collect_view();
                let peak = st.by_hour.iter().copied().max().unwrap_or(0).max(1);
                let hours = st
                    .by_hour
                    .iter()
                    .enumerate()
                    .map(|(h, n)| {
                        let height = (*n as f64 / peak as f64 * 100.0).round();
                        view! { <span class="hour-bar" title=format!("{h}:00 · {n}") style=format!("height:{height}%")></span> }
                    })
                    .collect_view();
                view! {
                    <tr data-testid="checkin-row" data-id=st.id.clone()>
                        <th scope="row" translate="no">{st.name.clone()}</th>
                        {days}
                        <td data-testid="checkin-total">{st.total}</td>
                        <td class="hour-bars" aria-label=s.checkins_by_hour>{hours}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <table class="console-table checkins">
                <thead>
                    <tr><th></th>{heads}<th scope="col">{s.checkins_total}</th><th scope="col">{s.checkins_by_hour}</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        })
    };
    view! {
        <section class="panel checkin-admin" data-testid="checkin-admin">
            <h2>{s.checkins_title}</h2>
            {table}
        </section>
    }
}

/// The areas where riders reported or checked in beyond 15 riding minutes of every open
/// station, most first.
#[component]
pub fn CoveragePanel() -> impl IntoView {
    let s = t();
    let cover = RwSignal::new(None::<model::api::Coverage>);
    leptos::task::spawn_local(async move {
        if let Ok(got) = api::coverage().await {
            let _ = cover.try_set(Some(got));
        }
    });
    let body = move || {
        let cover = cover.get()?;
        if cover.areas.is_empty() {
            return Some(view! { <p class="empty">{s.coverage_none}</p> }.into_any());
        }
        let rows = cover
            .areas
            .into_iter()
            .map(|a| {
                let nearest = if a.nearest.is_empty() {
                    "—".to_owned()
                } else {
                    format!("{} · {:.1} km", a.nearest, a.nearest_m / 1000.0)
                };
                view! {
                    <tr data-testid="coverage-row" data-lat=format!("{:.4}", a.lat) data-lon=format!("{:.4}", a.lon)>
                        <td translate="no">{a.district.clone()}</td>
                        <td>{format!("{:.4}, {:.4}", a.lat, a.lon)}</td>
                        <td data-testid="coverage-reports">{a.reports}</td>
                        <td>{a.checkins}</td>
                        <td translate="no">{nearest}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(
            view! {
                <table class="console-table coverage">
                    <thead>
                        <tr>
                            <th scope="col">{s.coverage_area}</th>
                            <th scope="col">"GPS"</th>
                            <th scope="col">{s.coverage_reports}</th>
                            <th scope="col">{s.coverage_checkins}</th>
                            <th scope="col">{s.coverage_nearest}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any(),
        )
    };
    view! {
        <section class="panel coverage-admin" data-testid="coverage-admin">
            <h2>{s.coverage_title}</h2>
            {body}
        </section>
    }
}
