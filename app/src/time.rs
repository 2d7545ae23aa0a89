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

/// "11-23 21:05" for a time this year, "2024-11-23 21:05" otherwise.
pub fn short(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let now = js_sys::Date::new_0();
    let body = format!(
        "{:02}-{:02} {:02}:{:02}",
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    );
    if d.get_full_year() == now.get_full_year() {
        body
    } else {
        format!("{}-{body}", d.get_full_year())
    }
}
