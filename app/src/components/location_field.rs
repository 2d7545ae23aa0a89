//! The report's location: a geolocation fix with its accuracy and age, or coordinates typed by
//! hand when geolocation fails or is denied.
//!
//! Every report gets a location made for it: the form starts following the position when it
//! opens and starts afresh after each save (which also empties the place and typed coordinates)
//! and on each tap of 获取位置. A fix more than two minutes old is refused until the rider
//! refreshes it or confirms they are still there. A location outside the rider's county is
//! warned about.
//!
//! The one source of fixes is a `watchPosition` watch, restarted rather than joined by one-shot
//! requests: a one-shot asked while a watch runs waits for the position to *change*, so a rider
//! standing still would see it time out.

use std::time::Duration;

use leptos::prelude::*;
use model::LocationSource;

use crate::{
    geo::{self, Fix, GeoError},
    i18n::{self, t},
    net::me::Bounds,
    state::Filing,
    time,
};

/// Where the geolocation request stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoState {
    Idle,
    Locating,
    Fixed(Fix),
    Failed(GeoError),
}

/// A location ready to go into a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub source: LocationSource,
    pub place: String,
}

/// The location part of the form, as signals the form owns.
#[derive(Debug, Clone, Copy)]
pub struct LocationInput {
    pub geo: RwSignal<GeoState>,
    /// Manual entry is shown (geolocation failed, or the rider chose it).
    pub manual: RwSignal<bool>,
    pub lat: RwSignal<String>,
    pub lon: RwSignal<String>,
    pub place: RwSignal<String>,
    /// The clock, ticking once a second while the form is open, for the fix's age.
    pub now: RwSignal<f64>,
    /// Which watch is the newest: an answer from an older one arriving late is ignored.
    serial: RwSignal<u32>,
    /// The running watch; replacing it stops the previous one, and so does disposing the form.
    watch: StoredValue<Option<geo::Watch>, LocalStorage>,
}

impl LocationInput {
    pub fn new() -> Self {
        Self {
            geo: RwSignal::new(GeoState::Idle),
            manual: RwSignal::new(false),
            lat: RwSignal::new(String::new()),
            lon: RwSignal::new(String::new()),
            place: RwSignal::new(String::new()),
            now: RwSignal::new(time::now_ms()),
            serial: RwSignal::new(0),
            watch: StoredValue::new_local(None),
        }
    }

    /// Starts following the position afresh; on failure shows the manual fields. The previous
    /// fix is dropped at once, so it can never be filed while the new one is on its way.
    pub fn locate(self) {
        self.serial.update(|n| *n += 1);
        let serial = self.serial.get_untracked();
        self.geo.set(GeoState::Locating);
        // The old watch stops before the new one starts, so the browser asks its provider anew
        // instead of waiting for the position to move.
        self.watch.set_value(None);
        let watch = geo::watch(move |update| {
            if self.serial.try_get_untracked() == Some(serial) {
                self.watched(update);
            }
        });
        if watch.is_none() {
            self.watched(Err(GeoError::Unsupported));
        }
        self.watch.set_value(watch);
    }

    /// Stops following the position (the form is closing).
    fn stop(self) {
        self.watch.try_set_value(None);
    }

    /// A position the watch reported: a newer fix replaces the old one. A failure counts while
    /// there is no fix; once there is one, it is kept and ages until refreshed or confirmed.
    fn watched(self, update: Result<Fix, GeoError>) {
        let first = self.geo.get_untracked() == GeoState::Locating;
        match update {
            Ok(fix) => {
                self.now.set(time::now_ms());
                self.geo.set(GeoState::Fixed(fix));
                if first {
                    self.manual.set(false);
                }
            }
            Err(e) => {
                if !matches!(self.geo.get_untracked(), GeoState::Fixed(_)) {
                    self.geo.set(GeoState::Failed(e));
                    self.manual.set(true);
                }
            }
        }
    }

    /// The rider says the old fix is still where they are: it counts as fresh again.
    pub fn confirm(self) {
        let now = time::now_ms();
        self.now.set(now);
        if let GeoState::Fixed(f) = self.geo.get_untracked() {
            self.geo.set(GeoState::Fixed(Fix { at_ms: now, ..f }));
        }
    }

    /// After a save: nothing of this report's location is kept for the next one.
    pub fn reset(self) {
        self.place.set(String::new());
        self.lat.set(String::new());
        self.lon.set(String::new());
        self.locate();
    }

    /// The coordinates the form would file now, if any (for the county check).
    fn coords(&self) -> Option<(f64, f64)> {
        if self.manual.get() {
            let lat = self.lat.get().trim().parse::<f64>().ok()?;
            let lon = self.lon.get().trim().parse::<f64>().ok()?;
            return Some((lat, lon));
        }
        match self.geo.get() {
            GeoState::Fixed(f) => Some((f.lat, f.lon)),
            _ => None,
        }
    }

    /// The location to file at `now_ms`: typed coordinates in manual mode, else a fresh fix.
    pub fn resolve(&self, now_ms: f64) -> Result<Resolved, String> {
        let s = t();
        let place = self.place.get_untracked().trim().to_owned();
        if self.manual.get_untracked() {
            let lat = self.lat.get_untracked();
            let lon = self.lon.get_untracked();
            if lat.trim().is_empty() || lon.trim().is_empty() {
                return Err(s.form_need_location.to_owned());
            }
            let (Ok(lat), Ok(lon)) = (lat.trim().parse::<f64>(), lon.trim().parse::<f64>()) else {
                return Err(s.form_bad_location.to_owned());
            };
            return Ok(Resolved {
                lat,
                lon,
                accuracy_m: None,
                source: LocationSource::Manual,
                place,
            });
        }
        match self.geo.get_untracked() {
            GeoState::Fixed(f) if f.is_stale(now_ms) => Err(i18n::fix_stale(f.age_s(now_ms))),
            GeoState::Fixed(f) => Ok(Resolved {
                lat: f.lat,
                lon: f.lon,
                accuracy_m: Some(f.accuracy_m),
                source: LocationSource::Gps,
                place,
            }),
            GeoState::Locating => Err(s.form_wait_location.to_owned()),
            _ => Err(s.form_need_location.to_owned()),
        }
    }
}

impl Default for LocationInput {
    fn default() -> Self {
        Self::new()
    }
}

fn failure_text(e: GeoError) -> &'static str {
    let s = t();
    match e {
        GeoError::Denied => s.geo_denied,
        GeoError::Unavailable => s.geo_unavailable,
        GeoError::Timeout => s.geo_timeout,
        GeoError::Unsupported => s.geo_unsupported,
    }
}

/// The location group of the report form.
#[component]
pub fn LocationField(input: LocationInput) -> impl IntoView {
    let filing = Filing::get();
    let s = t();
    // While the form is open the fix follows the rider (see `locate`), so a report filed after
    // riding on carries where the rider is now.
    on_cleanup(move || input.stop());
    // The age shown next to the fix moves on by itself.
    if let Ok(ticker) = set_interval_with_handle(
        move || input.now.set(time::now_ms()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || ticker.clear());
    }
    let stale = move || match input.geo.get() {
        GeoState::Fixed(f) => f.is_stale(input.now.get()),
        _ => false,
    };
    let status = move || match input.geo.get() {
        GeoState::Idle => view! { <p class="loc-status">{s.form_location}</p> }.into_any(),
        GeoState::Locating => view! { <p class="loc-status">{s.form_locating}</p> }.into_any(),
        GeoState::Fixed(f) => {
            let age = f.age_s(input.now.get());
            let old = f.is_stale(input.now.get());
            view! {
                <p
                    class="loc-status"
                    class:loc-ok=!old
                    class:loc-stale=old
                    data-testid="location-fix"
                    data-stale=old.to_string()
                >
                    {if old { i18n::fix_stale(age) } else { i18n::located(f.accuracy_m) }}
                    <span class="loc-coords">
                        {format!("{:.5}, {:.5}", f.lat, f.lon)}
                        " · "
                        <span data-testid="location-age">{i18n::ago(age)}</span>
                    </span>
                </p>
            }
            .into_any()
        }
        GeoState::Failed(e) => view! {
            <p class="loc-status loc-error" role="alert" data-testid="location-error">
                {failure_text(e)}
            </p>
        }
        .into_any(),
    };
    let outside = move || {
        let (bounds, names): (Option<Bounds>, _) = filing.county.get()?;
        let (lat, lon) = input.coords()?;
        (!bounds?.contains(lat, lon)).then(|| i18n::outside_county(names.get(i18n::lang())))
    };
    view! {
        <fieldset class="group">
            <legend class="group-title">{s.form_location}</legend>
            <div class="cells">
                <div class="cell loc-head">
                    {status}
                    <div class="loc-actions">
                        <button
                            type="button"
                            class="btn-mini"
                            disabled=move || input.geo.get() == GeoState::Locating
                            on:click=move |_| input.locate()
                        >
                            {s.form_locate}
                        </button>
                        <Show when=stale>
                            <button
                                type="button"
                                class="btn-mini"
                                on:click=move |_| input.confirm()
                            >
                                {s.form_confirm_location}
                            </button>
                        </Show>
                        <Show when=move || !input.manual.get()>
                            <button
                                type="button"
                                class="btn-link"
                                on:click=move |_| input.manual.set(true)
                            >
                                {s.form_manual}
                            </button>
                        </Show>
                    </div>
                </div>
                {move || outside().map(|w| view! {
                    <p class="cell loc-warn" role="status" data-testid="location-outside">{w}</p>
                })}
                <Show when=move || input.manual.get()>
                    <div class="cell">
                        <label class="cell-label" for="loc-lat">{s.form_lat}</label>
                        <input
                            id="loc-lat"
                            class="cell-input"
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            placeholder="28.84"
                            bind:value=input.lat
                        />
                    </div>
                    <div class="cell">
                        <label class="cell-label" for="loc-lon">{s.form_lon}</label>
                        <input
                            id="loc-lon"
                            class="cell-input"
                            type="text"
                            inputmode="decimal"
                            autocomplete="off"
                            placeholder="108.77"
                            bind:value=input.lon
                        />
                    </div>
                </Show>
                <div class="cell">
                    <label class="cell-label" for="loc-place">{s.form_place}</label>
                    <input
                        id="loc-place"
                        class="cell-input"
                        type="text"
                        maxlength="200"
                        placeholder=s.form_place_placeholder
                        bind:value=input.place
                    />
                </div>
            </div>
        </fieldset>
    }
}
