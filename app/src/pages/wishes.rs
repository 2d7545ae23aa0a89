//! 微心愿墙: a rider posts a wish (offline too: it goes into the rider document on the phone
//! and out on the next sync), follows where each of theirs stands (from the notices the
//! supervisors' steps send), and reads the county's wall: the approved wishes of every rider of
//! the county, with the surname only, from the stations document, offline too.

use leptos::prelude::*;
use model::rider_doc::{Ask, MAX_WISH_CHARS, Wish};

use crate::{
    i18n::{self, t},
    state::Ctx,
    time,
};

/// The wish wall tab page.
#[component]
pub fn WishesPage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let text = RwSignal::new(String::new());
    let said = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let post = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wish = Wish {
            text: text.get_untracked().trim().to_owned(),
            photo: String::new(),
            at: js_sys::Date::now() as i64,
        };
        if wish.problem().is_some() {
            said.set(Some((false, s.wish_bad.to_owned())));
            return;
        }
        let Some(engine) = ctx.services.engine() else {
            said.set(Some((false, s.wish_failed.to_owned())));
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = engine.ask(Ask::Wish(wish)).await;
            let _ = busy.try_set(false);
            match result {
                Ok(()) => {
                    let _ = text.try_set(String::new());
                    let _ = said.try_set(Some((true, s.wish_saved.to_owned())));
                }
                Err(e) => {
                    let message = format!("{}{}{e}", s.wish_failed, s.note_separator);
                    let _ = said.try_set(Some((false, message)));
                }
            }
        });
    };
    // Where each of the rider's wishes stands: the latest notice about it, else waiting; and
    // the latest words said of it (the reason of a rejection, who claimed it).
    let me = move || ctx.session.me.with(|m| m.as_ref().map(|m| m.user.id));
    let standing = move |id: &str| -> (String, String) {
        // On the wall: its status and who claimed it, however old.
        let key = me().map(|me| model::stations_doc::wall_key(me, id));
        let walled = ctx.sync.wall.with(|wall| {
            wall.iter()
                .find(|(k, _)| Some(k) == key.as_ref())
                .map(|(_, w)| (w.status.clone(), w.org.clone()))
        });
        if let Some(found) = walled {
            return found;
        }
        ctx.sync.notices.with(|all| {
            let mut about = all
                .iter()
                .rev()
                .filter(|(_, n)| n.kind == "wish" && n.wish == id);
            let status = about
                .clone()
                .next()
                .map_or_else(|| "pending".to_owned(), |(_, n)| n.status.clone());
            let words = about
                .find(|(_, n)| !n.note.is_empty())
                .map(|(_, n)| n.note.clone())
                .unwrap_or_default();
            (status, words)
        })
    };
    let mine = move || {
        ctx.sync.wishes.get().into_iter().map(move |row| {
            let (status, note) = standing(&row.id);
            let delivery = i18n::delivery_label(row.delivery);
            view! {
                <li class="cell wish" data-testid="my-wish" data-status=status.clone()>
                    <p class="wish-text" translate="no">{row.wish.text.clone()}</p>
                    <p class="wish-state">
                        <span class="wish-badge" data-testid="my-wish-status">{i18n::wish_status(&status)}</span>
                        " " <span class="wish-delivery">{delivery}</span>
                    </p>
                    {(!note.is_empty()).then(|| view! { <p class="pe-reason" translate="no">{note}</p> })}
                    <p class="pe-when"><time>{time::short(row.wish.at as f64)}</time></p>
                </li>
            }
        }).collect_view()
    };
    let wall = move || {
        ctx.sync.wall.get().into_iter().map(|(id, w)| {
            let claimed = (!w.org.is_empty()).then(|| view! {
                <p class="wish-org">{s.wish_claimed_by} <span translate="no">{w.org.clone()}</span></p>
            });
            view! {
                <li class="cell wish" data-testid="wall-wish" data-id=id data-status=w.status.clone()>
                    <p class="wish-text" translate="no">{w.text.clone()}</p>
                    <p class="wish-state">
                        <span class="wish-by" translate="no" data-testid="wall-wish-by">{w.by.clone()}</span>
                        " · "
                        <span class="wish-badge">{i18n::wish_status(&w.status)}</span>
                    </p>
                    {claimed}
                </li>
            }
        }).collect_view()
    };
    view! {
        <section class="group">
            <p class="group-title">{s.wish_new}</p>
            <form class="wish-form" on:submit=post>
                <textarea
                    rows="3"
                    maxlength=MAX_WISH_CHARS.to_string()
                    placeholder=s.wish_placeholder
                    aria-label=s.wish_new
                    data-testid="wish-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <p class="form-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="wish-post"
                        disabled=move || busy.get() || !ctx.sync.can_redeem.get()
                    >
                        {s.wish_post}
                    </button>
                </p>
            </form>
            {move || said.get().map(|(ok, text)| view! {
                <p class=if ok { "ok" } else { "error" } role="status" data-testid="wish-said">{text}</p>
            })}
        </section>
        <section class="group">
            <p class="group-title">{s.wishes_mine}</p>
            <Show
                when=move || !ctx.sync.wishes.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{s.wishes_mine_empty}</p> }
            >
                <ul class="cells wishes">{mine}</ul>
            </Show>
        </section>
        <section class="group">
            <p class="group-title">{s.wishes_title}</p>
            <Show
                when=move || !ctx.sync.wall.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{s.wishes_wall_empty}</p> }
            >
                <ul class="cells wishes" data-testid="wall">{wall}</ul>
            </Show>
        </section>
    }
}
