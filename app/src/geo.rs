//! Position fixes from the browser's geolocation, followed with `watchPosition`.
//!
//! The position and its error are read by property name: web-sys types them only under its
//! unstable APIs, and the names are fixed by the W3C specification.

use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::PositionOptions;

use crate::json;

/// A position with its accuracy, and when the app got it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    /// The device clock (ms since the epoch) when the fix arrived, or when the rider last
    /// confirmed they are still there.
    pub at_ms: f64,
}

impl Fix {
    /// How old the fix is at `now_ms`, in whole seconds.
    pub fn age_s(&self, now_ms: f64) -> u64 {
        ((now_ms - self.at_ms).max(0.0) / 1000.0) as u64
    }

    /// Whether the fix is too old to file a report with unless refreshed or confirmed.
    pub fn is_stale(&self, now_ms: f64) -> bool {
        now_ms - self.at_ms > STALE_AFTER_MS
    }
}

/// A fix older than this (two minutes) is not used without a refresh or the rider's word that
/// they are still there: a rider covers a kilometre in that time.
pub const STALE_AFTER_MS: f64 = 120_000.0;

/// Why there is no fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoError {
    Denied,
    Unavailable,
    Timeout,
    Unsupported,
}

fn geolocation() -> Result<web_sys::Geolocation, GeoError> {
    web_sys::window()
        .and_then(|w| w.navigator().geolocation().ok())
        .ok_or(GeoError::Unsupported)
}

/// High accuracy, a browser fix at most 10 s old, 15 s at most.
fn options() -> PositionOptions {
    let options = PositionOptions::new();
    options.set_enable_high_accuracy(true);
    options.set_maximum_age(10_000);
    options.set_timeout(15_000);
    options
}

fn read_position(position: &JsValue) -> Result<Fix, GeoError> {
    let c = json::field(position, "coords");
    match (
        json::opt_number(&c, "latitude"),
        json::opt_number(&c, "longitude"),
        json::opt_number(&c, "accuracy"),
    ) {
        (Some(lat), Some(lon), Some(accuracy_m)) => Ok(Fix {
            lat,
            lon,
            accuracy_m,
            at_ms: js_sys::Date::now(),
        }),
        _ => Err(GeoError::Unavailable),
    }
}

/// GeolocationPositionError codes: 1 permission denied, 2 unavailable, 3 timeout.
fn read_error(e: &JsValue) -> GeoError {
    match json::opt_number(e, "code").map(|c| c as u16) {
        Some(1) => GeoError::Denied,
        Some(3) => GeoError::Timeout,
        Some(_) => GeoError::Unavailable,
        None => GeoError::Unsupported,
    }
}

type Callback = Closure<dyn FnMut(JsValue)>;

/// A running `watchPosition`; dropping it stops the watch.
pub struct Watch {
    id: i32,
    _callbacks: (Callback, Callback),
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("id", &self.id).finish()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Ok(geo) = geolocation() {
            geo.clear_watch(self.id);
        }
    }
}

/// Follows the position while the returned [`Watch`] lives: `on_update` gets every new fix
/// (the rider moving) and every failure.
pub fn watch(on_update: impl Fn(Result<Fix, GeoError>) + Clone + 'static) -> Option<Watch> {
    let geo = geolocation().ok()?;
    let ok_update = on_update.clone();
    let ok: Callback = Closure::new(move |p: JsValue| ok_update(read_position(&p)));
    let err: Callback = Closure::new(move |e: JsValue| on_update(Err(read_error(&e))));
    let id = geo
        .watch_position_with_error_callback_and_options(
            ok.as_ref().unchecked_ref(),
            Some(err.as_ref().unchecked_ref()),
            &options(),
        )
        .ok()?;
    Some(Watch {
        id,
        _callbacks: (ok, err),
    })
}

#[cfg(test)]
mod tests {
    use super::{Fix, STALE_AFTER_MS};
    use crate::i18n;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_fix_ages_and_goes_stale_after_two_minutes() {
        let fix = Fix {
            lat: 28.84,
            lon: 108.77,
            accuracy_m: 18.0,
            at_ms: 1_000_000.0,
        };
        assert_eq!(fix.age_s(1_012_400.0), 12);
        assert!(!fix.is_stale(1_000_000.0 + STALE_AFTER_MS));
        assert!(fix.is_stale(1_000_001.0 + STALE_AFTER_MS));
        // A clock set back never makes a negative age.
        assert_eq!(fix.age_s(0.0), 0);
        i18n::set_lang(model::api::Lang::En);
        assert_eq!(i18n::ago(150), "2 min ago");
        assert!(i18n::fix_stale(150).contains("from 2 min ago"));
        assert_eq!(i18n::accuracy(1234.4), "±1,234 m");
        i18n::set_lang(model::api::Lang::Zh);
        assert_eq!(i18n::accuracy(1234.4), "±1234 米");
        assert_eq!(i18n::ago(2), "刚刚");
        assert_eq!(i18n::ago(12), "12 秒前");
        assert_eq!(i18n::ago(150), "2 分钟前");
        assert!(i18n::fix_stale(150).contains("2 分钟前"));
    }
}
