//! The relay connection of the sync engine: when to connect, what a socket event does, and
//! the retry timer.

use std::time::Duration;

use leptos::prelude::*;

use super::Engine;
use crate::{
    error::AppError,
    net::{
        api,
        socket::{Socket, SocketEvent},
    },
};

impl Engine {
    /// Connects now unless a socket is already open or opening.
    pub fn connect(&self) {
        if self.stopped.get() || self.session.need_login.get_untracked() {
            return;
        }
        if self.socket.borrow().is_some() {
            return;
        }
        self.cancel_retry();
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        let weak = self.me_weak.borrow().clone();
        let opened = Socket::open(&self.peer_id, move |event| {
            if let Some(engine) = weak.upgrade()
                && engine.generation.get() == generation
            {
                engine.on_socket(event);
            }
        });
        match opened {
            Ok(socket) => *self.socket.borrow_mut() = Some(socket),
            Err(e) => {
                leptos::logging::warn!("sync: cannot open socket: {e}");
                self.schedule_retry();
            }
        }
    }

    /// Tries again soon: after `online`, after a new login, or when the page comes back.
    pub fn reconnect_soon(&self) {
        self.backoff.borrow_mut().reset();
        self.connect();
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
                        leptos::logging::warn!("sync: bad frame: {e}");
                        self.drop_socket();
                        self.schedule_retry();
                    }
                }
            }
            SocketEvent::Closed { was_open } => {
                self.drop_socket();
                if was_open {
                    self.schedule_retry();
                } else {
                    self.check_session_then_retry();
                }
            }
        }
    }

    /// A socket refused at the upgrade looks the same as no network; ask the API which it is,
    /// so an expired session prompts a new login instead of retrying forever.
    fn check_session_then_retry(&self) {
        let weak = self.me_weak.borrow().clone();
        leptos::task::spawn_local(async move {
            let result = api::me().await;
            let Some(engine) = weak.upgrade() else { return };
            match result {
                Err(AppError::Unauthorized) => engine.session.need_login.set(true),
                _ => engine.schedule_retry(),
            }
        });
    }

    fn drop_socket(&self) {
        self.socket.borrow_mut().take();
        self.generation.set(self.generation.get().wrapping_add(1));
        self.device.borrow_mut().disconnected();
        self.refresh();
    }

    fn schedule_retry(&self) {
        if self.stopped.get() || self.session.need_login.get_untracked() {
            return;
        }
        self.cancel_retry();
        let base = self.backoff.borrow_mut().next_delay();
        // Some jitter, so riders who lost coverage together do not all return in step.
        let ms = f64::from(base) * (0.8 + 0.4 * js_sys::Math::random());
        let weak = self.me_weak.borrow().clone();
        let handle = set_timeout_with_handle(
            move || {
                if let Some(engine) = weak.upgrade() {
                    engine.retry.borrow_mut().take();
                    engine.connect();
                }
            },
            Duration::from_millis(ms as u64),
        );
        *self.retry.borrow_mut() = handle.ok();
    }

    pub(super) fn cancel_retry(&self) {
        if let Some(h) = self.retry.borrow_mut().take() {
            h.clear();
        }
    }

    /// Window events that decide when to connect.
    pub(super) fn listen(&self) {
        let mut listeners = self.listeners.borrow_mut();
        let weak = self.me_weak.borrow().clone();
        listeners.push(window_event_listener(leptos::ev::online, move |_| {
            if let Some(e) = weak.upgrade() {
                e.reconnect_soon();
            }
        }));
        // The browser may keep a dead socket open for a long while after the network goes;
        // closing it at once shows the rider the truth ("离线").
        let weak = self.me_weak.borrow().clone();
        listeners.push(window_event_listener(leptos::ev::offline, move |_| {
            if let Some(e) = weak.upgrade()
                && e.socket.borrow().is_some()
            {
                e.drop_socket();
                e.schedule_retry();
            }
        }));
        let weak = self.me_weak.borrow().clone();
        listeners.push(window_event_listener_untyped(
            "visibilitychange",
            move |_| {
                let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
                if let Some(e) = weak.upgrade()
                    && visible
                    && e.socket.borrow().is_none()
                {
                    e.reconnect_soon();
                }
            },
        ));
    }
}
