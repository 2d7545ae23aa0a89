//! Small readers over JavaScript objects the browser hands over (a geolocation position, an
//! error). JSON from the server is read with serde into `model::api` types instead.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A property of an object (undefined when absent).
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A number property that may be null or absent.
pub fn opt_number(obj: &JsValue, key: &str) -> Option<f64> {
    field(obj, key).as_f64()
}
