//! One queued or stored photo of a report filed on this device.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Where a photo stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoState {
    /// On the phone only, waiting to be uploaded.
    Pending,
    /// The server holds it; only the thumbnail is kept here.
    Stored,
    /// The server refused it for good (the reason, in Chinese); it is kept, not retried.
    Refused(String),
}

/// A photo of a report filed on this device.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoEntry {
    /// Lower-case hex SHA-256 of the JPEG (the store key).
    pub sha256: String,
    pub report_id: String,
    /// The JPEG to upload; dropped once the server holds it.
    pub jpeg: Option<Vec<u8>>,
    /// The small JPEG shown in lists.
    pub thumb: Vec<u8>,
    /// The JPEG's size in bytes (kept after the JPEG is dropped).
    pub bytes: u32,
    pub state: PhotoState,
    /// When the report was filed, in milliseconds since the epoch: uploads go in this order.
    pub created_at: f64,
}

fn set(obj: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(obj, &k.into(), v);
}

fn get(v: &JsValue, k: &str) -> Option<JsValue> {
    Reflect::get(v, &k.into())
        .ok()
        .filter(|x| !x.is_undefined() && !x.is_null())
}

fn bytes(v: JsValue) -> Option<Vec<u8>> {
    v.dyn_into::<Uint8Array>().ok().map(|a| a.to_vec())
}

impl PhotoEntry {
    /// The stored value; the hash is the key.
    pub fn to_js(&self) -> JsValue {
        let obj = Object::new();
        set(&obj, "report_id", &self.report_id.as_str().into());
        if let Some(j) = &self.jpeg {
            set(&obj, "jpeg", &Uint8Array::from(j.as_slice()).into());
        }
        set(
            &obj,
            "thumb",
            &Uint8Array::from(self.thumb.as_slice()).into(),
        );
        set(&obj, "bytes", &JsValue::from(self.bytes));
        let (state, reason) = match &self.state {
            PhotoState::Pending => ("pending", None),
            PhotoState::Stored => ("stored", None),
            PhotoState::Refused(r) => ("refused", Some(r.as_str())),
        };
        set(&obj, "state", &state.into());
        if let Some(r) = reason {
            set(&obj, "reason", &r.into());
        }
        set(&obj, "created_at", &JsValue::from_f64(self.created_at));
        obj.into()
    }

    /// Reads a stored value back; `None` when it is not of this shape.
    pub fn from_js(sha256: String, v: &JsValue) -> Option<Self> {
        let state = match get(v, "state")?.as_string()?.as_str() {
            "pending" => PhotoState::Pending,
            "stored" => PhotoState::Stored,
            "refused" => PhotoState::Refused(get(v, "reason")?.as_string().unwrap_or_default()),
            _ => return None,
        };
        Some(Self {
            sha256,
            report_id: get(v, "report_id")?.as_string()?,
            jpeg: get(v, "jpeg").and_then(bytes),
            thumb: get(v, "thumb").and_then(bytes).unwrap_or_default(),
            bytes: get(v, "bytes")?.as_f64()? as u32,
            state,
            created_at: get(v, "created_at")?.as_f64()?,
        })
    }
}
