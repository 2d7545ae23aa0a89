//! The relay connection of the sync engine: when to connect, what a socket event does, and
//! the retry timer.

use gloo_timers::future::TimeoutFuture;

use super::{Engine, protocol::Update};
use crate::net::socket::{Socket, SocketEvent};

impl Engine {
    /// Connects now unless a socket is already open or opening.
    pub fn connect(&self) {
        if self.stopped.get() || self.held.get() {
            return;
        }
        if self.socket.borrow().is_some() {
            return;
        }
        self.cancel_retry();
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        let weak = self.me_weak.borrow().clone();
        let url = format!("{}?peer={}", self.socket_url, self.peer_id);
        let opened = Socket::open(&url, move |event| {
            if let Some(engine) = weak.upgrade()
                && engine.generation.get() == generation
            {
                engine.on_socket(event);
            }
        });
        match opened {
            Ok(socket) => *self.socket.borrow_mut() = Some(socket),
            Err(e) => {
                self.warn(format!("sync: cannot open socket: {e}"));
                self.schedule_retry();
            }
        }
    }

    /// Tries again now, with the backoff reset: after `online`, after a new login, or when the
    /// page comes back.
    pub fn reconnect_soon(&self) {
        self.held.set(false);
        self.online();
    }

    /// The server refused the session: no more attempts until [`Engine::reconnect_soon`].
    pub fn hold(&self) {
        self.held.set(true);
        self.cancel_retry();
    }

    fn on_socket(&self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                let join = self.device.borrow_mut().connected();
                self.apply(join);
            }
            SocketEvent::Frame(bytes) => {
                let result = self.device.borrow_mut().receive(&bytes);
                match result {
                    Ok(effects) => self.apply(effects),
                    // A frame we cannot read means the session is out of step: start over.
                    Err(e) => {
                        self.warn(format!("sync: bad frame: {e}"));
                        self.drop_socket();
                        self.schedule_retry();
                    }
                }
            }
            SocketEvent::Closed { was_open } => {
                self.drop_socket();
                // A socket refused at the upgrade looks the same as no network: the page asks
                // the API which it is, and holds the engine if the session has ended.
                if !was_open {
                    (self.post)(&Update::Refused);
                }
                self.schedule_retry();
            }
        }
    }

    fn drop_socket(&self) {
        self.socket.borrow_mut().take();
        self.generation.set(self.generation.get().wrapping_add(1));
        self.device.borrow_mut().disconnected();
        self.refresh();
    }

    fn schedule_retry(&self) {
        if self.stopped.get() || self.held.get() {
            return;
        }
        self.cancel_retry();
        self.retry_pending.set(true);
        let turn = self.retry_turn.get();
        let base = self.backoff.borrow_mut().next_delay();
        // Some jitter, so riders who lost coverage together do not all return in step.
        let ms = f64::from(base) * (0.8 + 0.4 * js_sys::Math::random());
        let weak = self.me_weak.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(ms as u32).await;
            if let Some(engine) = weak.upgrade()
                && engine.retry_turn.get() == turn
            {
                engine.retry_pending.set(false);
                engine.connect();
            }
        });
    }

    pub(super) fn cancel_retry(&self) {
        if self.retry_pending.replace(false) {
            self.retry_turn.set(self.retry_turn.get().wrapping_add(1));
        }
    }

    /// The network went (the page's `offline` event): close the socket at once, since the
    /// browser may keep a dead one open for a long while after the network goes, and closing
    /// it shows the rider the truth ("离线").
    pub fn offline(&self) {
        if self.socket.borrow().is_some() {
            self.drop_socket();
            self.schedule_retry();
        }
    }

    /// The network came back (the page's `online` event): try now, unless held.
    pub fn online(&self) {
        self.backoff.borrow_mut().reset();
        self.connect();
    }
}
