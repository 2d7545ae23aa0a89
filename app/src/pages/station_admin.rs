//! 驿站管理: the county's stations, as its supervisors keep them in the console: add one, change
//! its hours, facilities, host and phone, close it for a while (`paused`) or for good
//! (`closed`). A change reaches riders' phones through the stations document at their next
//! sync. The server checks every field and says which one it refused.

use leptos::prelude::*;
use model::api::{FACILITIES, STATION_HOSTS, STATION_KINDS, StationForm, StationItem};

use crate::{
    i18n::{self, t},
    net::api,
    pages::station::facility_chip,
};

/// What the editor holds while typed.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: RwSignal<String>,
    /// Editing a station that exists (its id stays).
    existing: RwSignal<bool>,
    name: RwSignal<String>,
    address: RwSignal<String>,
    lat: RwSignal<String>,
    lon: RwSignal<String>,
    week: [RwSignal<String>; 7],
    facilities: RwSignal<Vec<String>>,
    kind: RwSignal<String>,
    host: RwSignal<String>,
    phone: RwSignal<String>,
    status: RwSignal<String>,
    /// The rest of the form, kept as it was (the county's own words for the hours).
    hours: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            id: RwSignal::new(String::new()),
            existing: RwSignal::new(false),
            name: RwSignal::new(String::new()),
            address: RwSignal::new(String::new()),
            lat: RwSignal::new(String::new()),
            lon: RwSignal::new(String::new()),
            week: std::array::from_fn(|_| RwSignal::new(String::new())),
            facilities: RwSignal::new(Vec::new()),
            kind: RwSignal::new(String::new()),
            host: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            status: RwSignal::new("open".into()),
            hours: RwSignal::new(String::new()),
        }
    }

    /// Fills the editor with `item`, or empties it for a new station.
    fn load(self, item: Option<&StationItem>) {
        let blank = StationForm {
            status: "open".into(),
            week: vec!["08:00-20:00".into(); 7],
            ..StationForm::default()
        };
        let (id, f) = item.map_or((String::new(), &blank), |i| (i.id.clone(), &i.station));
        self.existing.set(item.is_some());
        self.id.set(id);
        self.name.set(f.name.clone());
        self.address.set(f.address.clone());
        let figure = |x: f64| {
            if item.is_some() {
                x.to_string()
            } else {
                String::new()
            }
        };
        self.lat.set(figure(f.lat));
        self.lon.set(figure(f.lon));
        for (day, signal) in self.week.iter().enumerate() {
            signal.set(f.week.get(day).cloned().unwrap_or_default());
        }
        self.facilities.set(f.facilities.clone());
        self.kind.set(f.kind.clone());
        self.host.set(f.host.clone());
        self.phone.set(f.phone.clone());
        self.status.set(f.status.clone());
        self.hours.set(f.hours.clone());
    }

    /// The form to send; a figure that is not a number is sent as NaN's stand-in (out of
    /// range) and refused by the server with its reason.
    fn form(self) -> StationForm {
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<f64>().unwrap_or(999.0);
        let week: Vec<String> = self.week.iter().map(|d| d.get_untracked()).collect();
        StationForm {
            name: self.name.get_untracked(),
            address: self.address.get_untracked(),
            lat: number(self.lat),
            lon: number(self.lon),
            hours: self.hours.get_untracked(),
            week,
            facilities: self.facilities.get_untracked(),
            kind: self.kind.get_untracked(),
            host: self.host.get_untracked(),
            phone: self.phone.get_untracked(),
            status: self.status.get_untracked(),
        }
    }
}

/// A text input of the editor.
fn text_input(
    label: &'static str,
    value: RwSignal<String>,
    testid: &'static str,
) -> impl IntoView + use<> {
    typed_input(label, value, testid, "text")
}

/// An input of type `kind` (`text`, `datetime-local`) of the editor.
fn typed_input(
    label: &'static str,
    value: RwSignal<String>,
    testid: &'static str,
    kind: &'static str,
) -> impl IntoView + use<> {
    view! {
        <label class="st-field">
            <span>{label}</span>
            <input
                type=kind
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// A select of codes with their words, and an empty choice when `none` is given.
fn code_select(
    label: &'static str,
    value: RwSignal<String>,
    codes: &'static [&'static str],
    words: fn(&str) -> &str,
    none: Option<&'static str>,
    testid: &'static str,
) -> impl IntoView + use<> {
    view! {
        <label class="st-field">
            <span>{label}</span>
            <select
                data-testid=testid
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {none.map(|w| view! { <option value="">{w}</option> })}
                {codes
                    .iter()
                    .map(|code| view! { <option value=*code>{words(code).to_owned()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Reads a CSV file and imports it; what went wrong in words, with the lines the server named.
async fn import(file: web_sys::File) -> Result<usize, String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| t().stations_import_unreadable.to_owned())?;
    api::import_stations(&text).await.map_err(|e| match &e {
        crate::error::AppError::Api(api) => match &api.detail {
            Some(lines) => format!("{e}{}{lines}", t().note_separator),
            None => e.to_string(),
        },
        _ => e.to_string(),
    })
}

/// The stations panel of the console.
#[component]
pub fn StationsPanel() -> impl IntoView {
    let s = t();
    let items = RwSignal::new(Vec::<StationItem>::new());
    let fields = Fields::new();
    let editing = RwSignal::new(false);
    let said = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::stations().await {
            Ok(list) => {
                let _ = items.try_set(list);
            }
            Err(e) => {
                let _ = said.try_set(Some((false, e.to_string())));
            }
        }
    });
    let edit = move |item: Option<StationItem>| {
        fields.load(item.as_ref());
        said.set(None);
        editing.set(true);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = fields.id.get_untracked().trim().to_owned();
        if !fields.existing.get_untracked()
            && items.with_untracked(|all| all.iter().any(|i| i.id == id))
        {
            said.set(Some((false, s.station_id_taken.to_owned())));
            return;
        }
        let form = fields.form();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::save_station(&id, &form).await {
                Ok(saved) => {
                    let _ = items.try_update(|all| {
                        all.retain(|i| i.id != saved.id);
                        all.push(saved);
                        all.sort_by(|a, b| a.station.name.cmp(&b.station.name));
                    });
                    let _ = editing.try_set(false);
                    let _ = said.try_set(Some((true, s.station_saved.to_owned())));
                }
                Err(e) => {
                    let _ = said.try_set(Some((false, e.to_string())));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let facility_chips = move || {
        FACILITIES
            .iter()
            .map(|code| facility_chip(code, fields.facilities, (*code).to_owned()))
            .collect_view()
    };
    let week_inputs = move || {
        fields
            .week
            .iter()
            .enumerate()
            .map(|(day, value)| {
                let value = *value;
                view! {
                    <label class="st-field st-day">
                        <span>{i18n::weekday(day)}</span>
                        <input
                            type="text"
                            placeholder="07:00-22:00"
                            data-testid=format!("station-week-{day}")
                            prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))
                        />
                    </label>
                }
            })
            .collect_view()
    };
    let statuses: &'static [&'static str] = &["open", "paused", "closed"];
    view! {
        <section class="panel station-admin" data-testid="station-admin">
            <h2>{s.station_admin_title}</h2>
            <p class="hint">{s.station_admin_hint}</p>
            <table class="st-table">
                <thead>
                    <tr>
                        <th>{s.station_name_label}</th>
                        <th>{s.station_status_label}</th>
                        <th>{s.station_hours}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || items.get()
                        key=|i| (i.id.clone(), format!("{:?}", i.station))
                        children=move |item| {
                            let hours = item
                                .station
                                .week
                                .first()
                                .map(|d| i18n::station_day(d))
                                .unwrap_or_else(|| item.station.hours.clone());
                            let id = item.id.clone();
                            let poster = format!("/api/stations/{}/poster.svg", js_sys::encode_uri_component(&id));
                            let status = i18n::station_status(&item.station.status).to_owned();
                            let name = item.station.name.clone();
                            view! {
                                <tr data-testid="station-admin-row" data-id=id>
                                    <td translate="no">{name}</td>
                                    <td>{status}</td>
                                    <td>{hours}</td>
                                    <td>
                                        <button type="button" class="btn-link" on:click=move |_| edit(Some(item.clone()))>
                                            {s.station_edit}
                                        </button>
                                        " "
                                        <a class="btn-link" href=poster target="_blank" rel="noopener" data-testid="station-poster">
                                            {s.station_poster}
                                        </a>
                                    </td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
            <p class="st-csv">
                <button type="button" class="btn" data-testid="station-new" on:click=move |_| edit(None)>
                    {s.station_new}
                </button>
                " "
                <a class="btn-link" href="/api/stations.csv" download="nuanxin-stations.csv" data-testid="stations-export">
                    {s.stations_export}
                </a>
                " "
                <label class="btn-link">
                    {s.stations_import}
                    <input
                        type="file"
                        accept=".csv,text/csv"
                        class="visually-hidden"
                        data-testid="stations-import"
                        on:change=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                            input.set_value("");
                            leptos::task::spawn_local(async move {
                                let said_now = match import(file).await {
                                    Ok(n) => {
                                        if let Ok(list) = api::stations().await {
                                            let _ = items.try_set(list);
                                        }
                                        (true, i18n::stations_imported(n))
                                    }
                                    Err(text) => (false, text),
                                };
                                let _ = said.try_set(Some(said_now));
                            });
                        }
                    />
                </label>
            </p>
            {move || said.get().map(|(ok, text)| view! {
                <p class=if ok { "ok" } else { "error" } role="status" data-testid="station-said">{text}</p>
            })}
            <Show when=move || editing.get()>
                <form class="st-editor" data-testid="station-editor" on:submit=save>
                    <Show when=move || !fields.existing.get()>
                        {text_input(s.station_id_label, fields.id, "station-id")}
                    </Show>
                    {text_input(s.station_name_label, fields.name, "station-name")}
                    {text_input(s.station_address_label, fields.address, "station-address")}
                    {text_input(s.station_lat_label, fields.lat, "station-lat")}
                    {text_input(s.station_lon_label, fields.lon, "station-lon")}
                    <fieldset class="st-week-edit">
                        <legend>{s.station_hours}</legend>
                        <p class="hint">{s.station_hours_hint}</p>
                        {week_inputs()}
                    </fieldset>
                    <fieldset>
                        <legend>{s.station_facilities}</legend>
                        <div class="chips">{facility_chips()}</div>
                    </fieldset>
                    {code_select(s.station_kind_label, fields.kind, &STATION_KINDS, i18n::station_kind, Some("—"), "station-kind")}
                    {code_select(s.station_host, fields.host, &STATION_HOSTS, i18n::station_host, Some("—"), "station-host")}
                    {text_input(s.station_phone, fields.phone, "station-phone-input")}
                    {code_select(s.station_status_label, fields.status, statuses, i18n::station_status, None, "station-status")}
                    <p>
                        <button type="submit" class="btn btn-primary" data-testid="station-save" disabled=move || busy.get()>
                            {s.station_save}
                        </button>
                        " "
                        <button type="button" class="btn-link" on:click=move |_| editing.set(false)>
                            {s.station_cancel}
                        </button>
                    </p>
                </form>
            </Show>
        </section>
    }
}

/// `2026-07-16T12:00`: a moment as a `datetime-local` input shows it, in local time.
fn local_input(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The moment of a `datetime-local` value, in ms since the epoch (0 when it does not read: the
/// server refuses it).
fn input_ms(value: &str) -> i64 {
    let ms = js_sys::Date::parse(value);
    if ms.is_finite() { ms as i64 } else { 0 }
}

/// 高温/低温预警: publishing a heat or cold alert to the county's riders, and the recent ones.
#[component]
pub fn AlertsPanel() -> impl IntoView {
    let s = t();
    let now = crate::time::now_ms();
    let kind = RwSignal::new("heat".to_owned());
    let level = RwSignal::new("2".to_owned());
    let text = RwSignal::new(String::new());
    let from = RwSignal::new(local_input(now));
    let to = RwSignal::new(local_input(now + 8.0 * 3_600_000.0));
    let items = RwSignal::new(Vec::<model::api::AlertItem>::new());
    let said = RwSignal::new(None::<(bool, String)>);
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::alerts().await {
            let _ = items.try_set(list);
        }
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = model::api::AlertForm {
            kind: kind.get_untracked(),
            level: level.get_untracked().parse().unwrap_or(0),
            text: text.get_untracked(),
            from: input_ms(&from.get_untracked()),
            to: input_ms(&to.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match api::send_alert(&form).await {
                Ok(item) => {
                    let _ = items.try_update(|all| all.insert(0, item));
                    let _ = text.try_set(String::new());
                    let _ = said.try_set(Some((true, s.alert_sent.to_owned())));
                }
                Err(e) => {
                    let _ = said.try_set(Some((false, e.to_string())));
                }
            }
        });
    };
    let levels: &'static [&'static str] = &["1", "2", "3"];
    view! {
        <section class="panel alert-admin" data-testid="alert-admin">
            <h2>{s.alerts_title}</h2>
            <form class="st-editor" on:submit=send>
                {code_select(s.alert_kind_label, kind, &["heat", "cold"], i18n::alert_kind, None, "alert-kind")}
                <label class="st-field">
                    <span>{s.alert_level_label}</span>
                    <select
                        data-testid="alert-level"
                        prop:value=move || level.get()
                        on:change=move |ev| level.set(event_target_value(&ev))
                    >
                        {levels
                            .iter()
                            .map(|l| {
                                let title = i18n::alert_title(&kind.get_untracked(), l.parse().unwrap_or(1));
                                view! { <option value=*l>{title}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="st-field">
                    <span>{s.alert_text_label}</span>
                    <textarea
                        rows="2"
                        maxlength="200"
                        data-testid="alert-text"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                </label>
                {typed_input(s.alert_from_label, from, "alert-from", "datetime-local")}
                {typed_input(s.alert_to_label, to, "alert-to", "datetime-local")}
                <p>
                    <button type="submit" class="btn btn-primary" data-testid="alert-send">
                        {s.alert_send}
                    </button>
                </p>
            </form>
            {move || said.get().map(|(ok, text)| view! {
                <p class=if ok { "ok" } else { "error" } role="status" data-testid="alert-said">{text}</p>
            })}
            <ul class="alert-list">
                {move || {
                    items
                        .get()
                        .into_iter()
                        .map(|i| {
                            let span = format!(
                                "{} – {}",
                                local_input(i.alert.from as f64).replace('T', " "),
                                local_input(i.alert.to as f64).replace('T', " ")
                            );
                            view! {
                                <li data-testid="alert-item">
                                    <strong>{i18n::alert_title(&i.alert.kind, i.alert.level)}</strong>
                                    " " {span} " · "
                                    <span translate="no">{i.alert.text}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}
