//! The engine's side of the worker: reads [`Command`]s, runs one [`Engine`], posts
//! [`Update`]s. Commands that arrive while the engine is still loading its documents wait and
//! run in order once it has.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use gloo_events::EventListener;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::{
    Config, Engine,
    protocol::{Command, Update},
};

/// How long a stopping engine may take to commit its last writes before the worker closes.
const STOP_WAIT_MS: u32 = 5_000;

#[derive(Default)]
struct Worker {
    engine: RefCell<Option<Rc<Engine>>>,
    starting: Cell<bool>,
    waiting: RefCell<Vec<Command>>,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(update: &Update) {
    let _ = scope().post_message(&JsValue::from_str(&update.to_text()));
}

/// Listens for commands and says that it does. The entry point of `bin/engine.rs`.
pub fn run() {
    let worker = Rc::new(Worker::default());
    EventListener::new(&scope(), "message", move |e| {
        let text = e.unchecked_ref::<MessageEvent>().data().as_string();
        match text.as_deref().and_then(Command::from_text) {
            Some(command) => worker.clone().command(command),
            None => post(&Update::Warn(
                "sync: a message that is not a command".into(),
            )),
        }
    })
    .forget();
    post(&Update::Loaded);
}

impl Worker {
    fn command(self: Rc<Self>, command: Command) {
        if self.starting.get() {
            self.waiting.borrow_mut().push(command);
            return;
        }
        let engine = self.engine.borrow().clone();
        match (command, engine) {
            (
                Command::Start {
                    user_id,
                    doc_id,
                    office,
                    stations,
                    socket_url,
                },
                None,
            ) => {
                self.starting.set(true);
                let config = Config {
                    user_id,
                    doc_id,
                    office,
                    stations,
                    socket_url,
                };
                wasm_bindgen_futures::spawn_local(async move {
                    match Engine::start(config, Box::new(post)).await {
                        Ok(engine) => *self.engine.borrow_mut() = Some(engine),
                        Err(e) => post(&Update::Warn(format!("sync: cannot start: {e}"))),
                    }
                    self.starting.set(false);
                    let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
                    for command in waiting {
                        self.clone().command(command);
                    }
                });
            }
            (Command::Start { .. }, Some(_)) => {
                post(&Update::Warn("sync: already started".into()));
            }
            (Command::Stop, engine) => {
                if let Some(engine) = &engine {
                    engine.stop();
                }
                wasm_bindgen_futures::spawn_local(async move {
                    let mut waited = 0;
                    while engine.as_ref().is_some_and(|e| !e.settled()) && waited < STOP_WAIT_MS {
                        TimeoutFuture::new(20).await;
                        waited += 20;
                    }
                    scope().close();
                });
            }
            (Command::Ask { seq, ask }, engine) => {
                wasm_bindgen_futures::spawn_local(async move {
                    let error = match engine {
                        Some(engine) => engine.ask(ask).await.err().map(|e| e.to_string()),
                        None => Some("sync: not started".into()),
                    };
                    post(&Update::Done { seq, error });
                });
            }
            (_, None) => {}
            (Command::Inbox, Some(engine)) => engine.take_inbox(),
            (Command::Reconnect, Some(engine)) => engine.reconnect_soon(),
            (Command::Hold, Some(engine)) => engine.hold(),
            (Command::Online, Some(engine)) => engine.online(),
            (Command::Offline, Some(engine)) => engine.offline(),
        }
    }
}
