//! 我的: who is logged in, the interface language, and logging out.
//!
//! Logging out keeps unsent reports on the device (see [`session::log_out`]), but a rider who
//! hands the phone back may not come back to send them, so unsent reports are counted and the
//! rider is asked first.

use leptos::prelude::*;
use model::api::Lang;

use crate::{components::confirm_dialog::ConfirmDialog, i18n, i18n::t, session, state::Ctx};

/// The rider's profile tab.
#[component]
pub fn MinePage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let busy = RwSignal::new(false);
    let choose = move |l: Lang| {
        i18n::set_lang(l);
        ctx.lang.set(l);
    };
    let field = move |f: fn(&crate::net::me::Me) -> String| {
        move || {
            ctx.session
                .me
                .with(|m| m.as_ref().map(f).unwrap_or_default())
        }
    };
    let asking = RwSignal::new(false);
    let log_out = move || {
        asking.set(false);
        busy.set(true);
        leptos::task::spawn_local(async move {
            session::log_out(ctx).await;
            busy.set(false);
        });
    };
    let logout = move |_| {
        if ctx.sync.pending() > 0 {
            asking.set(true);
        } else {
            log_out();
        }
    };
    let unsent = Signal::derive(move || i18n::logout_unsent(ctx.sync.pending()));
    view! {
        <section class="group">
            <dl class="cells profile">
                <div class="cell">
                    <dt class="cell-label">{s.mine_name}</dt>
                    <dd class="cell-value" data-testid="me-name" translate="no">{field(|m| m.user.name.clone())}</dd>
                </div>
                <div class="cell">
                    <dt class="cell-label">{s.mine_phone}</dt>
                    <dd class="cell-value" data-testid="me-login">{field(|m| m.user.login.clone())}</dd>
                </div>
                <div class="cell">
                    <dt class="cell-label">{s.mine_county}</dt>
                    <dd class="cell-value">{field(|m| m.user.county_name.get(i18n::lang()).to_owned())}</dd>
                </div>
                <div class="cell">
                    <dt class="cell-label">{s.mine_role}</dt>
                    <dd class="cell-value">{field(|m| i18n::role_label(m.user.role).to_owned())}</dd>
                </div>
            </dl>
        </section>
        <section class="group">
            <div class="cells">
                <div class="cell lang-cell" role="radiogroup" aria-label=s.mine_language>
                    <span class="cell-label">{s.mine_language}</span>
                    <span class="lang-choices">
                        {Lang::ALL
                            .into_iter()
                            .map(|l| {
                                let on = i18n::lang() == l;
                                view! {
                                    <button
                                        type="button"
                                        class="btn-mini"
                                        class:btn-mini-on=on
                                        role="radio"
                                        aria-checked=if on { "true" } else { "false" }
                                        lang=l.tag()
                                        data-testid=format!("lang-{}", l.tag())
                                        on:click=move |_| choose(l)
                                    >
                                        {i18n::lang_name(l)}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </span>
                </div>
                <label class="cell">
                    <span class="cell-label">{s.speed_label}</span>
                    <select
                        data-testid="riding-speed"
                        on:change=move |ev| {
                            if let Ok(kmh) = event_target_value(&ev).parse() {
                                crate::pages::station::set_riding_speed(kmh);
                            }
                        }
                    >
                        {model::geo::RIDING_SPEEDS_KMH
                            .into_iter()
                            .map(|kmh| {
                                let on = crate::pages::station::riding_speed() == kmh;
                                view! { <option value=kmh.to_string() selected=on>{format!("{kmh} km/h")}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </section>
        <div class="form-actions">
            <button type="button" class="btn btn-danger" disabled=move || busy.get() on:click=logout>
                {s.logout}
            </button>
        </div>
        <Show when=move || asking.get()>
            <ConfirmDialog
                title=s.logout_unsent_title
                message=unsent
                cancel_label=s.logout_cancel
                confirm_label=s.logout_anyway
                on_cancel=Callback::new(move |()| asking.set(false))
                on_confirm=Callback::new(move |()| log_out())
            />
        </Show>
    }
}
