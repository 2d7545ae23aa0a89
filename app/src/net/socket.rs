//! A binary WebSocket to the relay at `/sync`, reduced to three events: open, frame, closed.
//!
//! Browser callbacks only queue the event (`spawn_local`, which keeps their order); the handler
//! runs afterwards. So a handler may drop this socket, and with it the callbacks, without a
//! callback ever being freed while it runs.

use std::{cell::Cell, rc::Rc};

use gloo_events::EventListener;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use crate::error::AppError;

/// What happened on a socket.
#[derive(Debug)]
pub enum SocketEvent {
    /// The connection is open.
    Open,
    /// One binary frame.
    Frame(Vec<u8>),
    /// The connection is gone (or never came up, when `was_open` is false).
    Closed { was_open: bool },
}

/// An open or opening WebSocket; closing and dropping it silences its callbacks (the
/// listeners are removed when dropped).
pub struct Socket {
    ws: WebSocket,
    _listeners: [EventListener; 3],
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("ready_state", &self.ws.ready_state())
            .finish()
    }
}

impl Socket {
    /// The relay's address on the page's own origin: `ws(s)://<host>/sync`.
    pub fn relay_url() -> Result<String, AppError> {
        let location = web_sys::window()
            .ok_or_else(|| AppError::Network("no window".into()))?
            .location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") {
            "wss"
        } else {
            "ws"
        };
        let host = location.host().map_err(|e| AppError::network(&e))?;
        Ok(format!("{scheme}://{host}/sync"))
    }

    /// Opens `url` (the relay's, with `?peer=<peer id>`). `handler` gets every event, in
    /// order, after the browser callback has returned.
    pub fn open(url: &str, handler: impl Fn(SocketEvent) + 'static) -> Result<Self, AppError> {
        let ws = WebSocket::new(url).map_err(|e| AppError::network(&e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let handler = Rc::new(handler);
        let opened = Rc::new(Cell::new(false));
        let deliver = {
            let handler = handler.clone();
            move |event: SocketEvent| {
                let handler = handler.clone();
                wasm_bindgen_futures::spawn_local(async move { handler(event) });
            }
        };

        let on_open = {
            let deliver = deliver.clone();
            let opened = opened.clone();
            EventListener::new(&ws, "open", move |_| {
                opened.set(true);
                deliver(SocketEvent::Open);
            })
        };
        let on_message = {
            let deliver = deliver.clone();
            EventListener::new(&ws, "message", move |e| {
                // The relay speaks binary CBOR only; a text frame is not ours to read.
                let data = e.unchecked_ref::<MessageEvent>().data();
                if let Ok(buf) = data.dyn_into::<ArrayBuffer>() {
                    deliver(SocketEvent::Frame(Uint8Array::new(&buf).to_vec()));
                }
            })
        };
        // `error` is always followed by `close`, so `close` alone reports the end.
        let on_close = EventListener::new(&ws, "close", move |_| {
            deliver(SocketEvent::Closed {
                was_open: opened.get(),
            })
        });
        Ok(Self {
            ws,
            _listeners: [on_open, on_message, on_close],
        })
    }

    /// Sends one binary frame; false when the socket is not open.
    pub fn send(&self, bytes: &[u8]) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_u8_array(bytes).is_ok()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The listeners go with the fields, right after this: the close event is never seen.
        let _ = self.ws.close();
    }
}
