//! The county's heat or cold alert, as a banner over the rider's pages while it is in force
//! (from the stations document, so offline too), with the nearest open station that has what
//! the weather calls for: air conditioning in the heat, heating in the cold.

use leptos::prelude::*;
use model::{geo::distance_m, hours::Openness, stations_doc::Alert};

use crate::{
    i18n::{self, t},
    pages::station::{last_position, local_now, open_now},
    state::Ctx,
};

/// The banner; nothing when no alert is in force.
#[component]
pub fn AlertBanner() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    // The clock the alerts are read against, moved on every 30 s.
    let now = RwSignal::new(crate::time::now_ms() as i64);
    let tick = StoredValue::new_local(Some(gloo_timers::callback::Interval::new(
        30_000,
        move || {
            now.try_set(crate::time::now_ms() as i64);
        },
    )));
    on_cleanup(move || {
        tick.try_set_value(None);
    });
    let current = move || -> Option<Alert> {
        let at = now.get();
        ctx.sync.alerts.with(|all| {
            all.iter()
                .map(|(_, a)| a)
                .filter(|a| a.in_force(at))
                .max_by_key(|a| (a.level, a.from))
                .cloned()
        })
    };
    move || {
        let alert = current()?;
        let (weekday, minute) = local_now();
        let here = last_position();
        // The nearest open station with the relief; without a position, the first one.
        let refuge = ctx.sync.stations.with(|all| {
            let open = all.iter().flatten().filter(|(_, st)| {
                !st.closed()
                    && st.facilities.iter().any(|f| f == alert.relief())
                    && matches!(
                        open_now(st, weekday, minute),
                        Openness::AllDay | Openness::Until { .. }
                    )
            });
            match here {
                Some(from) => open
                    .map(|(id, st)| (distance_m(from, (st.lat, st.lon)), id, st))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(d, id, st)| (Some(d), id.clone(), st.name.clone())),
                None => open
                    .map(|(id, st)| (None, id.clone(), st.name.clone()))
                    .next(),
            }
        });
        let refuge = match refuge {
            Some((distance, id, name)) => {
                let away = distance.map(|d| i18n::station_away(d, crate::pages::station::minutes_away(d)));
                let href = format!("/s/{}", js_sys::encode_uri_component(&id));
                view! {
                    <p class="alert-refuge" data-testid="alert-refuge">
                        {i18n::alert_refuge(&alert.kind)} " "
                        <a
                            href=href
                            translate="no"
                            on:click=move |ev| {
                                ev.prevent_default();
                                ctx.router.open_station(&id);
                            }
                        >
                            {name}
                        </a>
                        {away.map(|a| format!(" · {a}"))}
                    </p>
                }
                .into_any()
            }
            None => view! {
                <p class="alert-refuge" data-testid="alert-refuge">{i18n::alert_no_refuge(&alert.kind)}</p>
            }
            .into_any(),
        };
        Some(view! {
            <aside
                class="alert-banner"
                class:cold=alert.kind == "cold"
                data-level=alert.level.to_string()
                data-testid="alert-banner"
                role="alert"
                aria-label=s.alert_label
            >
                <p class="alert-title">{i18n::alert_title(&alert.kind, alert.level)}</p>
                // The county's own words.
                <p class="alert-text" translate="no">{alert.text.clone()}</p>
                {refuge}
            </aside>
        })
    }
}
