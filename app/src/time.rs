//! Clock and time formatting, from the browser's local time zone.

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Milliseconds on the page's monotonic clock, for measuring durations.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Appends how long a local save took (tap to committed transaction) to `window.__nxSaveMs`,
/// where the bench command reads it. A page-global array costs nothing until it is read.
pub fn record_save_ms(ms: f64) {
    record_ms("__nxSaveMs", ms);
}

/// Appends how long preparing one photo took (read, decode, downscale, encode, hash) to
/// `window.__nxPhotoMs`, for the bench command.
pub fn record_photo_ms(ms: f64) {
    record_ms("__nxPhotoMs", ms);
}

/// Sets a performance mark (`performance.mark`) the first time it is called with `name`: the
/// start-up milestones (`nx-main`, `nx-mounted`, `nx-store-open`, `nx-form-usable`,
/// `nx-engine-loaded`, `nx-doc-loaded`) that the cold-start bench reads.
pub fn mark_once(name: &'static str) {
    thread_local! {
        static DONE: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    if DONE.with(|d| {
        let mut d = d.borrow_mut();
        let first = !d.contains(&name);
        if first {
            d.push(name);
        }
        first
    }) && let Some(p) = web_sys::window().and_then(|w| w.performance())
    {
        let _ = p.mark(name);
    }
}

fn record_ms(name: &str, ms: f64) {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(w) = web_sys::window() else { return };
    let key = JsValue::from_str(name);
    let arr = match js_sys::Reflect::get(&w, &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
    {
        Some(a) => a,
        None => {
            let a = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&w, &key, &a);
            a
        }
    };
    arr.push(&JsValue::from_f64(ms));
}

/// A local date and time in the interface language: "11月23日 21:05" or "23 Nov 21:05" this
/// year, with the year in front ("2024年11月23日 21:05") or behind ("23 Nov 2024 21:05") for
/// another year.
pub fn short(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let this_year = d.get_full_year() == js_sys::Date::new_0().get_full_year();
    format_date(
        crate::i18n::lang(),
        (d.get_full_year(), d.get_month() + 1, d.get_date()),
        (d.get_hours(), d.get_minutes()),
        this_year,
    )
}

/// A local date without the time: "11月23日" or "23 Nov" (with the year when not this one).
pub fn day(ms: f64) -> String {
    let full = short(ms);
    // The time is always the last five characters ("21:05") after a space.
    full.rsplit_once(' ')
        .map_or(full.clone(), |(date, _)| date.to_owned())
}

/// [`short`] from its parts: `(year, month 1-12, day)`, `(hour, minute)`.
pub fn format_date(
    lang: model::api::Lang,
    (year, month, day): (u32, u32, u32),
    (hour, minute): (u32, u32),
    this_year: bool,
) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let time = format!("{hour:02}:{minute:02}");
    match (lang, this_year) {
        (model::api::Lang::Zh, true) => format!("{month}月{day}日 {time}"),
        (model::api::Lang::Zh, false) => format!("{year}年{month}月{day}日 {time}"),
        (model::api::Lang::En, this_year) => {
            let name = MONTHS[(month.clamp(1, 12) - 1) as usize];
            if this_year {
                format!("{day} {name} {time}")
            } else {
                format!("{day} {name} {year} {time}")
            }
        }
    }
}
