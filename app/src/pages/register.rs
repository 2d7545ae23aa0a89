//! The registration page: a new rider signs up with the invite code from their station.

use leptos::{ev::SubmitEvent, prelude::*};

use model::api::RegisterForm;

use crate::{error::AppError, i18n::t, router::Route, session, state::Ctx};

/// The message for a refused sign-up: the server's own words when it answered.
fn failure_text(e: &AppError) -> String {
    let s = t();
    match e {
        AppError::Api(e) => e.message(crate::i18n::lang()),
        AppError::Network(_) => s.register_offline.to_owned(),
        _ => s.register_failed.to_owned(),
    }
}

/// One labelled input cell of the form.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="cell">
            <label class="cell-label" for=id>{label}</label>
            <input
                id=id
                class="cell-input"
                type=kind
                name=id
                autocomplete=autocomplete
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                placeholder=placeholder
                bind:value=value
            />
        </div>
    }
}

/// 手机号, 姓名, 密码, 邀请码, 注册.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let phone = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invite = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The sign-up itself: pending while it runs, its refusal in words when it fails.
    let sign_up = Action::new_unsync(move |form: &RegisterForm| {
        let form = form.clone();
        async move {
            session::register(ctx, &form)
                .await
                .map_err(|e| failure_text(&e))
        }
    });
    let busy = sign_up.pending();
    Effect::new(move || {
        if let Some(Err(e)) = sign_up.value().get() {
            error.set(Some(e));
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (p, n, w, i) = (
            phone.get_untracked().trim().to_owned(),
            name.get_untracked().trim().to_owned(),
            password.get_untracked(),
            invite.get_untracked().trim().to_owned(),
        );
        if p.is_empty() || n.is_empty() || w.is_empty() || i.is_empty() {
            error.set(Some(s.register_missing.to_owned()));
            return;
        }
        error.set(None);
        sign_up.dispatch(RegisterForm {
            phone: p,
            name: n,
            password: w,
            invite: i,
        });
    };
    let to_login = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        ctx.router.go(Route::Login);
    };

    view! {
        <form class="login register" on:submit=submit novalidate>
            <div class="cells">
                <Field id="register-phone" label=s.register_phone kind="tel" inputmode="numeric"
                    placeholder=s.register_phone_placeholder autocomplete="tel" value=phone/>
                <Field id="register-name" label=s.register_name kind="text"
                    placeholder=s.register_name_placeholder autocomplete="name" value=name/>
                <Field id="register-password" label=s.register_password kind="password"
                    placeholder=s.register_password_placeholder autocomplete="new-password"
                    value=password/>
                <Field id="register-invite" label=s.register_invite kind="text"
                    placeholder=s.register_invite_placeholder autocomplete="off" value=invite/>
            </div>
            <div class="form-actions">
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { s.register_busy } else { s.register_submit }}
                </button>
                <p class="form-switch">
                    <a class="link" href=Route::Login.path() on:click=to_login>
                        {s.register_login_link}
                    </a>
                </p>
            </div>
        </form>
    }
}
