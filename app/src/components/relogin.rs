//! The prompt shown when the server no longer accepts the stored session.

use leptos::prelude::*;

use crate::{i18n::t, router::Route, state::Ctx};

/// "请重新登录": unsent reports stay on the phone and go out after the new login.
#[component]
pub fn ReloginBanner() -> impl IntoView {
    let ctx = Ctx::get();
    let shown = move || ctx.session.need_login.get() && !ctx.router.route().is_public();
    view! {
        <Show when=shown>
            <div class="banner banner-warn" role="alert" data-testid="relogin">
                <span>{t().relogin_prompt}</span>
                <button class="btn-link" type="button" on:click=move |_| ctx.router.go(Route::Login)>
                    {t().relogin_action}
                </button>
            </div>
        </Show>
    }
}
