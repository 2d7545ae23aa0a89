//! Nuanxin (暖新) client: the riders' mini-program-style app and the supervisors' console,
//! client-side rendered with Leptos, built as two wasm files from this one library: the rider
//! app (`main.rs`, [`mount`]) and the console (`bin/console.rs`, [`desk`]).
//!
//! The app works offline after one login: the session, the rider document and its sync state
//! live in IndexedDB ([`store`]); the [`sync`] engine sends reports over the relay WebSocket
//! whenever there is a connection. The service worker (`public/sw.js`) serves the shell.

pub mod components;
pub mod desk;
pub mod error;
pub mod geo;
pub mod i18n;
pub mod json;
pub mod kept;
pub mod net;
pub mod pages;
pub mod photo;
pub mod router;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;
pub mod time;

use leptos::prelude::*;

use crate::{
    components::{
        alert_banner::AlertBanner, nav_bar::NavBar, relogin::ReloginBanner, tab_bar::TabBar,
    },
    i18n::t,
    pages::{
        login::LoginPage,
        mine::MinePage,
        points::PointsPage,
        register::RegisterPage,
        report::ReportPage,
        station::{StationDetailPage, StationPage},
        wishes::WishesPage,
    },
    router::{Route, Router},
    state::{Ctx, Services, Session, SyncView},
};

/// Mounts the app on `<body>`.
pub fn mount() {
    time::mark_once("nx-main");
    leptos::mount::mount_to_body(App);
    time::mark_once("nx-mounted");
}

/// The whole app: contexts, start-up, and the page of the current route.
#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx {
        session: Session::new(),
        sync: SyncView::new(),
        services: Services::new(),
        router: Router::new(false),
        lang: RwSignal::new(i18n::lang()),
    };
    provide_context(ctx);
    i18n::apply_to_document();
    leptos::task::spawn_local(session::boot(ctx));
    // Back/forward may lead to a page of the other role; put the user back on their own.
    Effect::new(move |_| {
        ctx.router.route();
        if ctx.session.booted.get() {
            session::route_for_session(ctx);
        }
    });

    let route = move || ctx.router.route();
    let logged_in = move || ctx.session.me.with(Option::is_some);
    let is_rider = move || {
        ctx.session
            .me
            .with(|m| m.as_ref().is_some_and(|m| !m.user.role.is_staff()))
    };
    let page = move || {
        if !ctx.session.booted.get() {
            return view! { <p class="splash">{t().loading}</p> }.into_any();
        }
        match route() {
            Route::Login => view! { <LoginPage/> }.into_any(),
            Route::Register => view! { <RegisterPage/> }.into_any(),
            // Redirects settle on the next tick; render nothing meanwhile.
            _ if !logged_in() => ().into_any(),
            Route::Report => view! { <ReportPage/> }.into_any(),
            Route::Station => view! { <StationPage/> }.into_any(),
            Route::StationDetail => view! { <StationDetailPage/> }.into_any(),
            Route::Points => view! { <PointsPage/> }.into_any(),
            Route::Mine => view! { <MinePage/> }.into_any(),
            Route::Wishes => view! { <WishesPage/> }.into_any(),
            // The console is its own build: the router is loading its page.
            Route::Console => ().into_any(),
        }
    };
    // Every text is picked when its view is built: a new language builds the view again.
    // The session, the sync engine and the route live outside it and carry on.
    move || {
        ctx.lang.track();
        view! {
            <div class="app">
                <NavBar/>
                <ReloginBanner/>
                <Show when=move || is_rider() && route().is_rider_tab()>
                    <AlertBanner/>
                </Show>
                <main class="page" class:with-tabs=move || is_rider() && route().is_rider_tab()>
                    {page}
                </main>
                <Show when=move || is_rider() && route().is_rider_tab()>
                    <TabBar/>
                </Show>
            </div>
        }
    }
}
