//! One position fix from the browser's geolocation.
//!
//! The position and its error are read by property name: web-sys types them only under its
//! unstable APIs, and the names are fixed by the W3C specification.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::PositionOptions;

use crate::json;

/// A position with its accuracy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
}

/// Why there is no fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoError {
    Denied,
    Unavailable,
    Timeout,
    Unsupported,
}

/// Asks for the current position (high accuracy, a fix up to a minute old is fine, 15 s at most).
pub async fn current_position() -> Result<Fix, GeoError> {
    let geo = web_sys::window()
        .and_then(|w| w.navigator().geolocation().ok())
        .ok_or(GeoError::Unsupported)?;
    let options = PositionOptions::new();
    options.set_enable_high_accuracy(true);
    options.set_maximum_age(60_000);
    options.set_timeout(15_000);
    // The promise's own resolve/reject serve as the callbacks, so no closure has to outlive this.
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if geo
            .get_current_position_with_error_callback_and_options(&resolve, Some(&reject), &options)
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    match JsFuture::from(promise).await {
        Ok(position) => {
            let c = json::field(&position, "coords");
            match (
                json::opt_number(&c, "latitude"),
                json::opt_number(&c, "longitude"),
                json::opt_number(&c, "accuracy"),
            ) {
                (Some(lat), Some(lon), Some(accuracy_m)) => Ok(Fix {
                    lat,
                    lon,
                    accuracy_m,
                }),
                _ => Err(GeoError::Unavailable),
            }
        }
        // GeolocationPositionError codes: 1 permission denied, 2 unavailable, 3 timeout.
        Err(e) => Err(match json::opt_number(&e, "code").map(|c| c as u16) {
            Some(1) => GeoError::Denied,
            Some(3) => GeoError::Timeout,
            Some(_) => GeoError::Unavailable,
            None => GeoError::Unsupported,
        }),
    }
}
