//! One outbox entry: a report filed on this device, and the change that carries it.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// A report filed on this device whose change the relay has not confirmed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The report's id (the store key).
    pub report_id: String,
    /// The hash (hex) of the document change that added the report.
    pub hash: String,
    /// When the report was filed, in milliseconds since the epoch.
    pub created_at: f64,
}

impl OutboxEntry {
    /// The stored value, `{hash, created_at}`; the report id is the key.
    pub fn to_js(&self) -> JsValue {
        let obj = Object::new();
        let _ = Reflect::set(&obj, &"hash".into(), &JsValue::from_str(&self.hash));
        let _ = Reflect::set(
            &obj,
            &"created_at".into(),
            &JsValue::from_f64(self.created_at),
        );
        obj.into()
    }

    /// Reads a stored value back; `None` when it is not of this shape.
    pub fn from_js(report_id: String, v: &JsValue) -> Option<Self> {
        let hash = Reflect::get(v, &"hash".into()).ok()?.as_string()?;
        let created_at = Reflect::get(v, &"created_at".into()).ok()?.as_f64()?;
        Some(Self {
            report_id,
            hash,
            created_at,
        })
    }
}
