//! How an outbox entry (`model::device::OutboxEntry`) is stored: `{hash, created_at}` under
//! the report id.

use js_sys::{Object, Reflect};
use model::device::OutboxEntry;
use wasm_bindgen::JsValue;

/// The stored value, `{hash, created_at}`; the report id is the key.
pub fn to_js(e: &OutboxEntry) -> JsValue {
    let obj = Object::new();
    let _ = Reflect::set(&obj, &"hash".into(), &JsValue::from_str(&e.hash));
    let _ = Reflect::set(&obj, &"created_at".into(), &JsValue::from_f64(e.created_at));
    obj.into()
}

/// Reads a stored value back; `None` when it is not of this shape.
pub fn from_js(report_id: String, v: &JsValue) -> Option<OutboxEntry> {
    let hash = Reflect::get(v, &"hash".into()).ok()?.as_string()?;
    let created_at = Reflect::get(v, &"created_at".into()).ok()?.as_f64()?;
    Some(OutboxEntry {
        report_id,
        hash,
        created_at,
    })
}
