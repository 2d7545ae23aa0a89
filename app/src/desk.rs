//! The supervisors' console as its own build (`console.html`, the `console` binary): the same
//! Leptos, model and i18n as the rider app, without its storage and sync engine, so neither
//! automerge nor IndexedDB is in the console's wasm, and none of the console's code is in the
//! riders' download.
//!
//! The console keeps nothing on the device: it asks the server who is logged in on every start,
//! and a refused session leads to the rider app's login page, which comes back here after the
//! login.

use leptos::prelude::*;
use model::api::{Lang, Role};

use crate::{
    components::sync_badge::Badge,
    error::AppError,
    i18n::{self, t},
    net::{api, me::Me},
    pages::console::{ConsolePage, CounterPage},
    router::{Route, Router},
    state::Session,
};

/// What the console provides through context.
#[derive(Debug, Clone, Copy)]
pub struct Desk {
    pub session: Session,
    /// The live feed of new reports is connected.
    pub feed_live: RwSignal<bool>,
    pub router: Router,
    pub lang: RwSignal<Lang>,
    /// Why the console cannot start (no network), with a retry.
    pub failed: RwSignal<Option<String>>,
}

impl Desk {
    /// The context provided by [`ConsoleApp`].
    pub fn get() -> Self {
        expect_context::<Desk>()
    }

    /// Sends the user to log in again: the session ended or was never there.
    pub fn log_in_again(&self) {
        self.router.replace(Route::Login);
    }
}

/// Mounts the console on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(ConsoleApp);
}

/// Asks the server who is logged in: staff stay, riders go to their app, nobody to the login.
async fn boot(desk: Desk) {
    desk.failed.set(None);
    match api::me().await {
        Ok(me) => adopt(desk, me),
        Err(AppError::Unauthorized) => desk.log_in_again(),
        Err(AppError::Network(_)) => desk.failed.set(Some(t().console_offline.to_owned())),
        Err(e) => desk.failed.set(Some(format!(
            "{}{}{e}",
            t().console_load_failed,
            t().note_separator
        ))),
    }
}

fn adopt(desk: Desk, me: Me) {
    if me.user.role.is_staff() {
        desk.session.me.set(Some(me));
        desk.session.booted.set(true);
    } else {
        desk.router.replace(Route::Report);
    }
}

/// Ends the session and goes to the login page; offline, says so and stays.
pub async fn log_out(desk: Desk) {
    match api::logout().await {
        Err(AppError::Network(_)) => desk.failed.set(Some(t().console_offline.to_owned())),
        _ => desk.log_in_again(),
    }
}

/// The console: its bar with the feed's state, and the triage list once the user is known.
#[component]
pub fn ConsoleApp() -> impl IntoView {
    let desk = Desk {
        session: Session::new(),
        feed_live: RwSignal::new(false),
        router: Router::new(true),
        lang: RwSignal::new(i18n::lang()),
        failed: RwSignal::new(None),
    };
    provide_context(desk);
    i18n::apply_to_document();
    leptos::task::spawn_local(boot(desk));

    let badge = Signal::derive(move || {
        if desk.feed_live.get() {
            ("live", t().badge_live.to_owned())
        } else {
            ("offline", t().badge_connecting.to_owned())
        }
    });
    // Station staff hand rewards over and see nothing of the reports (nor their feed).
    let counter_only = move || {
        desk.session
            .me
            .with(|m| m.as_ref().is_some_and(|m| m.user.role == Role::Station))
    };
    let page = move || {
        if let Some(why) = desk.failed.get() {
            view! {
                <div class="banner banner-warn" role="alert">
                    <span>{why}</span>
                    <button
                        class="btn-link"
                        type="button"
                        on:click=move |_| leptos::task::spawn_local(boot(desk))
                    >
                        {t().console_reload}
                    </button>
                </div>
            }
            .into_any()
        } else if desk.session.booted.get() {
            if counter_only() {
                view! { <CounterPage/> }.into_any()
            } else {
                view! { <ConsolePage/> }.into_any()
            }
        } else {
            view! { <p class="splash">{t().loading}</p> }.into_any()
        }
    };
    move || {
        desk.lang.track();
        view! {
            <div class="app wide">
                <header class="nav-bar">
                    <h1 class="nav-title">{t().title_console}</h1>
                    <div class="nav-side">
                        <Show when=move || desk.session.booted.get() && !counter_only()>
                            <Badge state=badge/>
                        </Show>
                    </div>
                </header>
                <main class="page">{page}</main>
            </div>
        }
    }
}
