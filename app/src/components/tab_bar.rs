//! The bottom tab bar of the rider's app.

use leptos::prelude::*;

use crate::{
    i18n::{self, t},
    router::Route,
    state::Ctx,
};

/// One tab: its route, label and a one-path outline icon.
fn tabs() -> [(Route, &'static str, &'static str); 4] {
    let s = t();
    [
        (
            Route::Station,
            s.tab_station,
            "M3 10l9-7 9 7v10a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z",
        ),
        (
            Route::Report,
            s.tab_report,
            "M4 7h3l2-3h6l2 3h3v13H4zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
        ),
        (
            Route::Points,
            s.tab_points,
            "M12 3l2.6 5.6 6.1.7-4.5 4.2 1.2 6L12 16.6 6.6 19.5l1.2-6-4.5-4.2 6.1-.7z",
        ),
        (
            Route::Mine,
            s.tab_mine,
            "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 3.6-7 8-7s8 3 8 7",
        ),
    ]
}

/// 驿站 · 随手拍 · 积分 · 我的; 积分 carries the count of unread messages.
#[component]
pub fn TabBar() -> impl IntoView {
    let ctx = Ctx::get();
    let router = ctx.router;
    let unread = move || ctx.sync.unread();
    view! {
        <nav class="tab-bar" aria-label=t().tab_bar_label>
            {tabs()
                .into_iter()
                .map(|(route, label, icon)| {
                    // A station's page and the wish wall are under the 驿站 tab.
                    let current = move || {
                        let at = router.route();
                        at == route
                            || (matches!(at, Route::StationDetail | Route::Wishes)
                                && route == Route::Station)
                    };
                    view! {
                        <a
                            class="tab"
                            class:active=current
                            href=route.path()
                            aria-current=move || current().then_some("page")
                            on:click=move |ev| {
                                ev.prevent_default();
                                router.go(route);
                            }
                        >
                            <svg class="tab-icon" viewBox="0 0 24 24" aria-hidden="true">
                                <path d=icon></path>
                            </svg>
                            <span class="tab-label">{label}</span>
                            {(route == Route::Points).then(|| view! {
                                <Show when=move || { unread() > 0 }>
                                    <span class="tab-badge" data-testid="tab-unread" aria-label=move || i18n::unread(unread())>
                                        {move || unread().min(99)}
                                    </span>
                                </Show>
                            })}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
