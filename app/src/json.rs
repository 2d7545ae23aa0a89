//! Small readers over parsed JSON (`js_sys::JSON`), so the app needs no serde_json: the server's
//! few answer shapes are read field by field, and a missing field is a readable error.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use crate::error::AppError;

/// Parses a JSON text.
pub fn parse(text: &str) -> Result<JsValue, AppError> {
    js_sys::JSON::parse(text).map_err(|e| AppError::Decode(crate::error::describe(&e)))
}

/// A property of an object (undefined when absent).
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string property.
pub fn string(obj: &JsValue, key: &str) -> Result<String, AppError> {
    field(obj, key).as_string().ok_or_else(|| missing(key))
}

/// A string property, or an empty string.
pub fn string_or_empty(obj: &JsValue, key: &str) -> String {
    field(obj, key).as_string().unwrap_or_default()
}

/// A string property that may be null or absent.
pub fn opt_string(obj: &JsValue, key: &str) -> Option<String> {
    field(obj, key).as_string()
}

/// A number property.
pub fn number(obj: &JsValue, key: &str) -> Result<f64, AppError> {
    field(obj, key).as_f64().ok_or_else(|| missing(key))
}

/// A number property that may be null or absent.
pub fn opt_number(obj: &JsValue, key: &str) -> Option<f64> {
    field(obj, key).as_f64()
}

/// An array property as a list of values (empty when absent).
pub fn array(obj: &JsValue, key: &str) -> Vec<JsValue> {
    let v = field(obj, key);
    if Array::is_array(&v) {
        Array::from(&v).iter().collect()
    } else {
        Vec::new()
    }
}

fn missing(key: &str) -> AppError {
    AppError::Decode(format!("field {key:?} is missing or has the wrong type"))
}

/// Builds a JSON object text from string pairs, escaping through the browser's serializer.
pub fn object_text(pairs: &[(&str, &str)]) -> String {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    js_sys::JSON::stringify(&obj)
        .map(String::from)
        .unwrap_or_default()
}
