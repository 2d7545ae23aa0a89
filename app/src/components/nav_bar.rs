//! The top navigation bar: centred page title, sync state at the side.

use leptos::prelude::*;

use crate::{components::sync_badge::SyncBadge, i18n::t, router::Route, state::Ctx};

/// The title of a route.
fn title(route: Route) -> &'static str {
    let s = t();
    match route {
        Route::Login => s.title_login,
        Route::Register => s.title_register,
        Route::Report => s.tab_report,
        Route::Station => s.tab_station,
        Route::StationDetail => s.station_title,
        Route::Points => s.tab_points,
        Route::Mine => s.tab_mine,
        Route::Wishes => s.wishes_title,
        Route::Console => s.title_console,
    }
}

/// The mini-program navigation bar with the page title and the sync badge.
#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = Ctx::get();
    let logged_in = move || ctx.session.me.with(Option::is_some);
    view! {
        <header class="nav-bar">
            <h1 class="nav-title">{move || title(ctx.router.route())}</h1>
            <div class="nav-side">
                <Show when=logged_in>
                    <SyncBadge/>
                </Show>
            </div>
        </header>
    }
}
