//! The report's location: a geolocation fix with its accuracy, or coordinates typed by hand
//! when geolocation fails or is denied.

use leptos::prelude::*;
use model::LocationSource;

use crate::{
    geo::{self, Fix, GeoError},
    i18n::{self, t},
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
}

impl LocationInput {
    pub fn new() -> Self {
        Self {
            geo: RwSignal::new(GeoState::Idle),
            manual: RwSignal::new(false),
            lat: RwSignal::new(String::new()),
            lon: RwSignal::new(String::new()),
            place: RwSignal::new(String::new()),
        }
    }

    /// Asks the browser for a fix; on failure shows the manual fields.
    pub fn locate(self) {
        self.geo.set(GeoState::Locating);
        leptos::task::spawn_local(async move {
            match geo::current_position().await {
                Ok(fix) => {
                    self.geo.set(GeoState::Fixed(fix));
                    self.manual.set(false);
                }
                Err(e) => {
                    self.geo.set(GeoState::Failed(e));
                    self.manual.set(true);
                }
            }
        });
    }

    /// The location to file: typed coordinates in manual mode, else the fix.
    pub fn resolve(&self) -> Result<Resolved, &'static str> {
        let place = self.place.get_untracked().trim().to_owned();
        if self.manual.get_untracked() {
            let lat = self.lat.get_untracked();
            let lon = self.lon.get_untracked();
            if lat.trim().is_empty() || lon.trim().is_empty() {
                return Err(t().form_need_location);
            }
            let (Ok(lat), Ok(lon)) = (lat.trim().parse::<f64>(), lon.trim().parse::<f64>()) else {
                return Err(t().form_bad_location);
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
            GeoState::Fixed(f) => Ok(Resolved {
                lat: f.lat,
                lon: f.lon,
                accuracy_m: Some(f.accuracy_m),
                source: LocationSource::Gps,
                place,
            }),
            _ => Err(t().form_need_location),
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
    let s = t();
    let status = move || match input.geo.get() {
        GeoState::Idle => view! { <p class="loc-status">{s.form_location}</p> }.into_any(),
        GeoState::Locating => view! { <p class="loc-status">{s.form_locating}</p> }.into_any(),
        GeoState::Fixed(f) => view! {
            <p class="loc-status loc-ok" data-testid="location-fix">
                {i18n::located(f.accuracy_m)}
                <span class="loc-coords">{format!("{:.5}, {:.5}", f.lat, f.lon)}</span>
            </p>
        }
        .into_any(),
        GeoState::Failed(e) => view! {
            <p class="loc-status loc-error" role="alert" data-testid="location-error">
                {failure_text(e)}
            </p>
        }
        .into_any(),
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
