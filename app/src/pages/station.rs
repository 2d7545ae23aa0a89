//! 驿站: the rider stations of the county, from the county's stations document (read-only,
//! kept on the phone, so the list is there offline too).
//!
//! Nearest first from the phone's position while the page is open, or from the last position
//! it had (kept on the device), the nearest 30 through a spatial grid (`model::geo::Grid`: a
//! province's 12,000 stations as fast as a county's), each with its distance and riding minutes
//! at the rider's speed (15 km/h unless changed in 我的); those inside the 15-minute circle stand
//! out. Each says whether it is open
//! now by its weekly hours (`model::hours`, on the phone's clock, checked every minute).
//! Facility chips keep only the stations that have every facility picked; 正在营业 only those
//! open now. Each station links to Amap, Baidu Maps and Apple
//! Maps at its position, with its name (WGS-84, said as such to the maps that ask), and its
//! name opens its page (`/s/<id>`, [`StationDetailPage`]): the hours of each weekday, the
//! facilities, the host, the phone (tap to call) and the map links, offline too.

use leptos::prelude::*;
use model::{
    geo::{CIRCLE_MINUTES, Grid, RIDING_SPEEDS_KMH, circle_m, riding_minutes_at},
    hours::{Openness, openness},
};

use crate::{
    geo,
    i18n::{self, t},
    router::Route,
    state::Ctx,
};

/// The most stations listed at once (the nearest ones).
const LIST_MAX: usize = 30;

/// The `localStorage` key of the rider's riding speed, in km/h.
const SPEED_KEY: &str = "nx-speed";

/// The riding speed the rider picked for "minutes away" (km/h; 15 unless changed).
pub fn riding_speed() -> u32 {
    crate::kept::get(SPEED_KEY)
        .and_then(|v| v.parse().ok())
        .filter(|v| RIDING_SPEEDS_KMH.contains(v))
        .unwrap_or(15)
}

/// Keeps the rider's riding speed on the device.
pub fn set_riding_speed(kmh: u32) {
    crate::kept::set(SPEED_KEY, &kmh.to_string());
}

/// Whole riding minutes to `distance_m` at the rider's speed.
pub fn minutes_away(distance_m: f64) -> u32 {
    riding_minutes_at(distance_m, riding_speed())
}

/// The `localStorage` key of the last position the stations page had: `lat,lon`.
const LAST_POSITION_KEY: &str = "nx-last-position";

/// The facilities a rider can filter by, in the order of the chips.
const FACILITIES: [&str; 8] = model::api::FACILITIES;

/// Where a station stands now: a paused one is closed whatever its hours say.
pub fn open_now(st: &model::stations_doc::Station, weekday: u32, minute: u32) -> Openness {
    if st.paused() {
        Openness::Closed { opens: None }
    } else {
        openness(&st.week, weekday, minute)
    }
}

/// The phone's local weekday (0 = Monday) and minute of the day.
pub fn local_now() -> (u32, u32) {
    let d = js_sys::Date::new_0();
    ((d.get_day() + 6) % 7, d.get_hours() * 60 + d.get_minutes())
}

/// The last position the phone had (kept on the device), if any.
pub fn last_position() -> Option<(f64, f64)> {
    let s = crate::kept::get(LAST_POSITION_KEY)?;
    let (lat, lon) = s.split_once(',')?;
    Some((lat.parse().ok()?, lon.parse().ok()?))
}

fn keep_position((lat, lon): (f64, f64)) {
    crate::kept::set(LAST_POSITION_KEY, &format!("{lat:.6},{lon:.6}"));
}

/// Links that open a map app at a station: (label, URL).
fn map_links(name: &str, lat: f64, lon: f64) -> [(&'static str, String); 3] {
    let s = t();
    let q = js_sys::encode_uri_component(name);
    [
        (
            s.map_amap,
            format!("https://uri.amap.com/marker?position={lon},{lat}&name={q}&coordinate=wgs84"),
        ),
        (
            s.map_baidu,
            format!(
                "https://api.map.baidu.com/marker?location={lat},{lon}&title={q}&content={q}\
                 &coord_type=wgs84&output=html"
            ),
        ),
        (
            s.map_apple,
            format!("https://maps.apple.com/?ll={lat},{lon}&q={q}"),
        ),
    ]
}

fn map_link_views(name: &str, lat: f64, lon: f64) -> impl IntoView + use<> {
    map_links(name, lat, lon)
        .into_iter()
        .map(|(label, href)| {
            view! {
                <a class="st-map" href=href target="_blank" rel="noopener">
                    {label}
                </a>
            }
        })
        .collect_view()
}

/// A facility chip: checked while `list` holds `item`; a tap adds or removes it.
pub fn facility_chip<T>(
    code: &'static str,
    list: RwSignal<Vec<T>>,
    item: T,
) -> impl IntoView + use<T>
where
    T: PartialEq + Clone + Send + Sync + 'static,
{
    let held = item.clone();
    let on = move || list.with(|l| l.contains(&held));
    view! {
        <label class="chip" class:checked=on.clone()>
            <input
                type="checkbox"
                prop:checked=on.clone()
                on:change=move |_| {
                    list.update(|l| match l.iter().position(|c| *c == item) {
                        Some(i) => {
                            l.remove(i);
                        }
                        None => l.push(item.clone()),
                    })
                }
            />
            <span>{i18n::facility_label(code).to_owned()}</span>
        </label>
    }
}

/// A station on the sketch.
struct Dot {
    id: String,
    name: String,
    at: (f64, f64),
    open: bool,
}

/// The sketch's size in CSS pixels (it is square), and the metres its half-width shows: the
/// 15-minute ring and a little more.
const SKETCH_PX: f64 = 300.0;
fn sketch_half_m() -> f64 {
    circle_m(riding_speed()) * 1.25
}

/// Where a point lies on the sketch centred on `from`, in pixels from its top left, north up
/// (an equirectangular view: true to scale over a few kilometres).
fn sketch_xy(from: (f64, f64), at: (f64, f64)) -> (f64, f64) {
    let m_per_deg_lat = 111_320.0;
    let m_per_deg_lon = m_per_deg_lat * from.0.to_radians().cos();
    let east = (at.1 - from.1) * m_per_deg_lon;
    let north = (at.0 - from.0) * m_per_deg_lat;
    let px_per_m = SKETCH_PX / 2.0 / sketch_half_m();
    (
        SKETCH_PX / 2.0 + east * px_per_m,
        SKETCH_PX / 2.0 - north * px_per_m,
    )
}

/// An offline sketch, no map tiles: the rider at the centre, the stations around to scale
/// (green open, grey closed; a tap opens one's page), the 15-minute ring, north up, and how many
/// lie beyond the frame.
fn sketch(from: (f64, f64), dots: Vec<Dot>, router: crate::router::Router) -> impl IntoView {
    let s = t();
    let ring_m = circle_m(riding_speed());
    let ring_px = ring_m * SKETCH_PX / 2.0 / sketch_half_m();
    let centre = SKETCH_PX / 2.0;
    let (inside, outside): (Vec<_>, Vec<_>) = dots
        .into_iter()
        .map(|d| (sketch_xy(from, d.at), d))
        .partition(|((x, y), _)| (0.0..=SKETCH_PX).contains(x) && (0.0..=SKETCH_PX).contains(y));
    let points = inside
        .into_iter()
        .map(|((x, y), d)| {
            let id = d.id.clone();
            view! {
                <circle
                    class="sk-station"
                    class:closed=!d.open
                    cx=format!("{x:.1}")
                    cy=format!("{y:.1}")
                    r="7"
                    data-id=d.id
                    data-testid="sketch-station"
                    on:click=move |_| router.open_station(&id)
                >
                    <title>{d.name}</title>
                </circle>
            }
        })
        .collect_view();
    let ring_label = i18n::minutes_ring(CIRCLE_MINUTES);
    view! {
        <figure class="sketch" data-testid="sketch">
            <svg
                viewBox=format!("0 0 {SKETCH_PX} {SKETCH_PX}")
                width=SKETCH_PX.to_string()
                height=SKETCH_PX.to_string()
                role="img"
                aria-label=s.sketch_label
            >
                <circle
                    class="sk-ring"
                    cx=centre.to_string()
                    cy=centre.to_string()
                    r=format!("{ring_px:.1}")
                    data-testid="sketch-ring"
                    data-metres=format!("{ring_m:.0}")
                ></circle>
                <text class="sk-label" x=centre.to_string() y=format!("{:.1}", centre - ring_px - 4.0) text-anchor="middle">
                    {ring_label}
                </text>
                <text class="sk-north" x=(SKETCH_PX - 16.0).to_string() y="20" text-anchor="middle">
                    {s.sketch_north}
                </text>
                {points}
                <circle class="sk-me" cx=centre.to_string() cy=centre.to_string() r="6" data-testid="sketch-me">
                    <title>{s.sketch_me}</title>
                </circle>
            </svg>
            {(!outside.is_empty()).then(|| view! {
                <figcaption>{i18n::sketch_outside(outside.len())}</figcaption>
            })}
        </figure>
    }
}

/// The filters of the list: facilities every station must have, open now only, and the
/// phone's weekday (0 = Monday) and minute of the day.
pub struct Filters<'a> {
    pub wanted: &'a [&'a str],
    pub open_only: bool,
    pub now: (u32, u32),
}

impl Filters<'_> {
    /// Whether `st` is listed: not closed for good, with every facility wanted, open now if
    /// asked.
    pub fn pass(&self, st: &model::stations_doc::Station) -> bool {
        !st.closed()
            && self
                .wanted
                .iter()
                .all(|w| st.facilities.iter().any(|f| f == w))
            && (!self.open_only
                || matches!(
                    open_now(st, self.now.0, self.now.1),
                    Openness::AllDay | Openness::Until { .. }
                ))
    }
}

/// What the list shows: at most `max` of the stations `filters` pass, nearest to `from` first
/// through `grid` (made over `all`, in order), or in the document's order without a position,
/// as (distance in metres, index in `all`); and how many more pass.
pub fn nearest_list(
    grid: &Grid,
    all: &[(String, model::stations_doc::Station)],
    from: Option<(f64, f64)>,
    filters: &Filters<'_>,
    max: usize,
) -> (Vec<(Option<f64>, usize)>, usize) {
    let passing = all.iter().filter(|(_, st)| filters.pass(st)).count();
    let rows: Vec<(Option<f64>, usize)> = match from {
        Some(from) => grid
            .nearest(from, max, |i| filters.pass(&all[i].1))
            .into_iter()
            .map(|(d, i)| (Some(d), i))
            .collect(),
        None => all
            .iter()
            .enumerate()
            .filter(|(_, (_, st))| filters.pass(st))
            .take(max)
            .map(|(i, _)| (None, i))
            .collect(),
    };
    let more = passing.saturating_sub(rows.len());
    (rows, more)
}

/// A grid that compares equal only to itself, for a memo.
#[derive(Clone)]
struct GridOf(std::sync::Arc<Grid>);

impl PartialEq for GridOf {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The stations tab.
#[component]
pub fn StationPage() -> impl IntoView {
    let router = Ctx::get().router;
    let stations = Ctx::get().sync.stations;
    let districts = Ctx::get().sync.districts;
    let s = t();
    let here = RwSignal::new(last_position());
    // With no position at all (location denied, never a fix), the district the rider picked.
    let district = RwSignal::new(None::<String>);
    let district_at = move || {
        let id = district.get()?;
        districts.with(|all| {
            all.iter()
                .find(|(k, _)| *k == id)
                .map(|(_, d)| (d.name.clone(), (d.lat, d.lon)))
        })
    };
    let origin = move || here.get().or_else(|| district_at().map(|(_, at)| at));
    let picked = RwSignal::new(Vec::<&'static str>::new());
    let open_only = RwSignal::new(false);
    // The clock the hours are read against, moved on every minute while the page is open.
    let now = RwSignal::new(local_now());
    let tick = StoredValue::new_local(Some(gloo_timers::callback::Interval::new(
        60_000,
        move || {
            now.try_set(local_now());
        },
    )));
    // Follow the position while the page is open; the watch stops when it closes.
    let watch = StoredValue::new_local(geo::watch(move |update| {
        if let Ok(fix) = update {
            let at = (fix.lat, fix.lon);
            here.try_set(Some(at));
            keep_position(at);
        }
    }));
    on_cleanup(move || {
        watch.try_set_value(None);
        tick.try_set_value(None);
    });

    // The grid over the county's stations, made again only when they change.
    let grid = Memo::new(move |_| {
        stations.with(|all| {
            let points = all.iter().flatten().map(|(_, st)| (st.lat, st.lon));
            GridOf(std::sync::Arc::new(Grid::new(points)))
        })
    });
    let chips = FACILITIES
        .into_iter()
        .map(|code| facility_chip(code, picked, code))
        .collect_view();

    let list = move || {
        let wanted = picked.get();
        let (weekday, minute) = now.get();
        let filters = Filters {
            wanted: &wanted,
            open_only: open_only.get(),
            now: (weekday, minute),
        };
        let from = origin();
        let grid = grid.get();
        // Only the rows shown are copied out of the document's list.
        let listed = stations.with(|all| {
            let all = all.as_ref()?;
            let (rows, more) = nearest_list(&grid.0, all, from, &filters, LIST_MAX);
            let rows: Vec<(Option<f64>, (String, model::stations_doc::Station))> =
                rows.into_iter().map(|(d, i)| (d, all[i].clone())).collect();
            Some((all.is_empty(), rows, more))
        });
        let Some((empty, rows, more)) = listed else {
            return view! { <p class="empty">{s.stations_loading}</p> }.into_any();
        };
        if empty {
            return view! { <p class="empty">{s.stations_empty}</p> }.into_any();
        }
        if rows.is_empty() {
            return view! { <p class="empty">{s.stations_none_match}</p> }.into_any();
        }
        let sketch = origin().map(|from| {
            let dots: Vec<Dot> = rows
                .iter()
                .map(|(_, (id, st))| Dot {
                    id: id.clone(),
                    name: st.name.clone(),
                    at: (st.lat, st.lon),
                    open: !matches!(open_now(st, weekday, minute), Openness::Closed { .. }),
                })
                .collect();
            sketch(from, dots, router)
        });
        view! {
            {sketch}
            <ul class="cells stations" aria-label=s.tab_station>
                {rows
                    .into_iter()
                    .map(|(distance, (id, st))| {
                        let minutes = distance.map(minutes_away);
                        let open = open_now(&st, weekday, minute);
                        let closed = matches!(open, Openness::Closed { .. });
                        let open_text = i18n::station_open(open);
                        let near = minutes.is_some_and(|m| m <= CIRCLE_MINUTES);
                        let facilities = st
                            .facilities
                            .iter()
                            .map(|f| view! { <li class="facility">{i18n::facility_label(f).to_owned()}</li> })
                            .collect_view();
                        let links = map_link_views(&st.name, st.lat, st.lon);
                        let page = format!("/s/{}", js_sys::encode_uri_component(&id));
                        let open_id = id.clone();
                        view! {
                            <li class="cell station" class:near=near class:closed=closed data-testid="station" data-id=id>
                                // The county's own words: shown as written, in any language.
                                <a
                                    class="st-name"
                                    translate="no"
                                    href=page
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        router.open_station(&open_id);
                                    }
                                >
                                    {st.name.clone()}
                                </a>
                                {distance
                                    .zip(minutes)
                                    .map(|(d, m)| {
                                        view! {
                                            <p class="st-away" data-testid="station-away">
                                                {i18n::station_away(d, m)}
                                                {near.then(|| view! { <span class="st-circle">{s.stations_in_circle}</span> })}
                                            </p>
                                        }
                                    })}
                                {open_text
                                    .map(|text| {
                                        view! {
                                            <p class="st-open" class:shut=closed data-testid="station-open">
                                                {text}
                                            </p>
                                        }
                                    })}
                                <p class="st-meta" translate="no">{st.address.clone()} " · " {st.hours.clone()}</p>
                                <ul class="facilities">{facilities}</ul>
                                <p class="st-maps">{links}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="empty" data-testid="stations-more">{i18n::stations_more(more)}</p> })}
        }
        .into_any()
    };

    view! {
        <div class="stations-page">
            <a
                class="st-wall-link"
                href=Route::Wishes.path()
                data-testid="wall-link"
                on:click=move |ev| {
                    ev.prevent_default();
                    router.go(Route::Wishes);
                }
            >
                {s.wishes_title} " ›"
            </a>
            <p class="st-where" data-testid="stations-where">
                {move || {
                    if here.with(Option::is_some) {
                        i18n::stations_by_distance(riding_speed())
                    } else if let Some((name, _)) = district_at() {
                        i18n::stations_from_district(&name)
                    } else {
                        s.stations_no_position.to_owned()
                    }
                }}
            </p>
            <Show when=move || here.with(Option::is_none) && districts.with(|d| !d.is_empty())>
                <label class="st-district">
                    <span>{s.district_pick}</span>
                    <select
                        data-testid="district-picker"
                        on:change=move |ev| {
                            let id = event_target_value(&ev);
                            district.set((!id.is_empty()).then_some(id));
                        }
                    >
                        <option value="">{s.district_none}</option>
                        {move || districts.with(|all| all.iter().map(|(id, d)| view! {
                            <option value=id.clone() translate="no">{d.name.clone()}</option>
                        }).collect_view())}
                    </select>
                </label>
            </Show>
            <fieldset class="group st-filter">
                <legend class="group-title">{s.stations_filter}</legend>
                <div class="chips">
                    <label class="chip" class:checked=move || open_only.get()>
                        <input
                            type="checkbox"
                            prop:checked=move || open_only.get()
                            on:change=move |_| open_only.update(|o| *o = !*o)
                        />
                        <span>{s.stations_open_now}</span>
                    </label>
                    {chips}
                </div>
            </fieldset>
            {list}
        </div>
    }
}

/// One station's page (`/s/<id>`), from the stations document on the phone.
#[component]
pub fn StationDetailPage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let id = crate::router::station_id().unwrap_or_default();
    let here = last_position();
    let (weekday, minute) = local_now();
    let back = view! {
        <a
            class="st-back"
            href=Route::Station.path()
            on:click=move |ev| {
                ev.prevent_default();
                ctx.router.go(Route::Station);
            }
        >
            {s.station_back}
        </a>
    };
    // A check-in: made at once when the app was opened here (the station's poster), once the
    // rider document is on the phone, offline too; or with the button.
    let checked = RwSignal::new(None::<Result<f64, String>>);
    let check_in = {
        let id = id.clone();
        move || {
            let Some(engine) = ctx.services.engine() else {
                return;
            };
            let ask = model::rider_doc::Ask::CheckIn(model::rider_doc::CheckIn {
                station: id.clone(),
                at: js_sys::Date::now() as i64,
            });
            leptos::task::spawn_local(async move {
                let result = engine.ask(ask).await;
                let _ = checked.try_set(Some(
                    result
                        .map(|()| js_sys::Date::now())
                        .map_err(|e| e.to_string()),
                ));
            });
        }
    };
    {
        let id = id.clone();
        let check_in = check_in.clone();
        Effect::new(move |_| {
            let known = ctx.sync.stations.with(|all| {
                all.as_ref()
                    .is_some_and(|all| all.iter().any(|(k, _)| *k == id))
            });
            if known && ctx.sync.can_redeem.get() && crate::router::take_arrival(&id) {
                check_in();
            }
        });
    }
    let check_row = move || {
        let said = checked.get().map(|r| match r {
            Ok(at) => view! {
                <span class="ok" data-testid="checkin-said">{format!("{} {}", s.checkin_done, crate::time::short(at))}</span>
            }
            .into_any(),
            Err(e) => view! {
                <span class="error" data-testid="checkin-said">{format!("{}{}{e}", s.checkin_failed, s.note_separator)}</span>
            }
            .into_any(),
        });
        let check_in = check_in.clone();
        view! {
            <p class="st-checkin">
                <button
                    type="button"
                    class="btn-mini"
                    data-testid="checkin"
                    disabled=move || !ctx.sync.can_redeem.get()
                    on:click=move |_| check_in()
                >
                    {s.checkin_button}
                </button>
                " "
                {said}
            </p>
        }
    };
    let body = move || {
        let found = ctx.sync.stations.with(|all| {
            all.as_ref()
                .map(|all| all.iter().find(|(k, _)| *k == id).map(|(_, st)| st.clone()))
        });
        let st = match found {
            None => return view! { <p class="empty">{s.stations_loading}</p> }.into_any(),
            Some(None) => return view! { <p class="empty">{s.station_not_found}</p> }.into_any(),
            Some(Some(st)) => st,
        };
        let open = open_now(&st, weekday, minute);
        let closed = matches!(open, Openness::Closed { .. });
        let away = here.map(|from| {
            let d = model::geo::distance_m(from, (st.lat, st.lon));
            i18n::station_away(d, minutes_away(d))
        });
        let week = if st.week.len() == 7 {
            let rows = st
                .week
                .iter()
                .enumerate()
                .map(|(day, text)| {
                    let today = day as u32 == weekday;
                    view! {
                        <tr class:today=today>
                            <th scope="row">{i18n::weekday(day)}</th>
                            <td>{i18n::station_day(text)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! { <table class="st-week" data-testid="station-week"><tbody>{rows}</tbody></table> }
                .into_any()
        } else {
            view! { <p class="st-meta" translate="no">{st.hours.clone()}</p> }.into_any()
        };
        let facilities = st
            .facilities
            .iter()
            .map(|f| view! { <li class="facility">{i18n::facility_label(f).to_owned()}</li> })
            .collect_view();
        let phone = (!st.phone.is_empty()).then(|| {
            let tel = format!("tel:{}", st.phone.replace([' ', '-'], ""));
            view! {
                <p class="st-line">
                    {s.station_phone} " "
                    <a href=tel data-testid="station-phone">{st.phone.clone()}</a>
                </p>
            }
        });
        let host = (!st.host.is_empty()).then(|| {
            view! { <p class="st-line">{s.station_host} " " {i18n::station_host(&st.host).to_owned()}</p> }
        });
        view! {
            <article class="cell station-detail" data-testid="station-detail">
                <h2 class="st-name" translate="no">{st.name.clone()}</h2>
                {(!st.kind.is_empty()).then(|| view! { <p class="st-kind">{i18n::station_kind(&st.kind).to_owned()}</p> })}
                {i18n::station_open(open).map(|text| view! {
                    <p class="st-open" class:shut=closed data-testid="station-open">{text}</p>
                })}
                {away.map(|text| view! { <p class="st-away">{text}</p> })}
                <p class="st-meta" translate="no">{st.address.clone()}</p>
                <h3 class="st-sub">{s.station_hours}</h3>
                {week}
                <h3 class="st-sub">{s.station_facilities}</h3>
                <ul class="facilities">{facilities}</ul>
                {host}
                {phone}
                {st.updated.map(|at| view! {
                    <p class="st-line" data-testid="station-updated">{s.station_updated} " " {crate::time::day(at as f64)}</p>
                })}
                <h3 class="st-sub">{s.station_navigate}</h3>
                <p class="st-maps">{map_link_views(&st.name, st.lat, st.lon)}</p>
            </article>
        }
        .into_any()
    };
    view! {
        <div class="stations-page">
            {back}
            {check_row}
            {body}
        </div>
    }
}
