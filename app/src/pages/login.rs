//! The login page.

use leptos::{ev::SubmitEvent, prelude::*};

use crate::{error::AppError, i18n::t, router::Route, session, state::Ctx};

/// The message for a failed login.
fn failure_text(e: &AppError) -> String {
    let s = t();
    match e {
        AppError::Api(e) => e.message(crate::i18n::lang()),
        AppError::Network(_) => s.login_offline.to_owned(),
        _ => s.login_failed.to_owned(),
    }
}

/// Account and password, 登录.
#[component]
pub fn LoginPage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    // After an expired session, the account is already known.
    let login = RwSignal::new(
        ctx.session
            .me
            .with_untracked(|m| m.as_ref().map(|m| m.user.login.clone()).unwrap_or_default()),
    );
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The login itself: pending while it runs, its refusal in words when it fails.
    let log_in = Action::new_unsync(move |(l, p): &(String, String)| {
        let (l, p) = (l.clone(), p.clone());
        async move {
            session::log_in(ctx, &l, &p)
                .await
                .map_err(|e| failure_text(&e))
        }
    });
    let busy = log_in.pending();
    Effect::new(move || {
        if let Some(Err(e)) = log_in.value().get() {
            error.set(Some(e));
            password.set(String::new());
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (l, p) = (
            login.get_untracked().trim().to_owned(),
            password.get_untracked(),
        );
        if l.is_empty() || p.is_empty() {
            error.set(Some(s.login_missing.to_owned()));
            return;
        }
        error.set(None);
        log_in.dispatch((l, p));
    };

    let to_register = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        ctx.router.go(Route::Register);
    };

    view! {
        <form class="login" on:submit=submit novalidate>
            <div class="brand" aria-hidden="true">
                <img src="/icon.svg" alt="" width="64" height="64"/>
                <p class="brand-name">{s.app_name}</p>
            </div>
            <div class="cells">
                <div class="cell">
                    <label class="cell-label" for="login-account">{s.login_account}</label>
                    <input
                        id="login-account"
                        class="cell-input"
                        type="text"
                        name="login"
                        autocomplete="username"
                        placeholder=s.login_account_placeholder
                        bind:value=login
                    />
                </div>
                <div class="cell">
                    <label class="cell-label" for="login-password">{s.login_password}</label>
                    <input
                        id="login-password"
                        class="cell-input"
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        bind:value=password
                    />
                </div>
            </div>
            <div class="form-actions">
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { s.login_busy } else { s.login_submit }}
                </button>
                // An expired session logs the same rider in again; signing up is for newcomers.
                <Show when=move || ctx.session.me.with(Option::is_none)>
                    <p class="form-switch">
                        <a class="link" href=Route::Register.path() on:click=to_register>
                            {s.login_register_link}
                        </a>
                    </p>
                </Show>
            </div>
        </form>
    }
}
