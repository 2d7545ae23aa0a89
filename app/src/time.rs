//! Clock and time formatting, from the browser's local time zone.

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
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
