//! Starting up, logging in and out.
//!
//! The device is the source of truth for who is logged in when there is no network: the last
//! /api/me answer is kept in IndexedDB, so after one login the app starts and files reports
//! offline. The server is asked at start; a 401 only raises the "请重新登录" prompt and never
//! deletes anything the rider has not sent.

use leptos::prelude::*;

use crate::{
    error::AppError,
    net::{api, me::Me},
    router::Route,
    state::Ctx,
    store::{META_ME, Store},
    sync::Engine,
};

/// Reads the device's storage, shows what it knows, starts syncing, then checks the session.
pub async fn boot(ctx: Ctx) {
    let store = match Store::open().await {
        Ok(store) => store,
        Err(e) => {
            // Private windows of some browsers refuse IndexedDB: the app still works online.
            leptos::logging::warn!("storage unavailable: {e}");
            ctx.session.booted.set(true);
            check_server(ctx).await;
            return;
        }
    };
    ctx.services.set_store(store.clone());
    let stored = store
        .meta(META_ME)
        .await
        .ok()
        .flatten()
        .and_then(|t| Me::parse(&t).ok());
    if let Some(me) = stored {
        adopt(ctx, me).await;
    }
    ctx.session.booted.set(true);
    route_for_session(ctx);
    check_server(ctx).await;
}

/// Asks the server who is logged in, and takes its answer when there is one.
async fn check_server(ctx: Ctx) {
    match api::me().await {
        Ok(me) => {
            let changed = ctx
                .session
                .me
                .with_untracked(|cur| cur.as_ref() != Some(&me));
            if changed {
                remember(ctx, &me).await;
                adopt(ctx, me).await;
                route_for_session(ctx);
            }
        }
        Err(AppError::Unauthorized) => {
            if ctx.session.me.with_untracked(Option::is_some) {
                ctx.session.need_login.set(true);
            } else {
                route_for_session(ctx);
            }
        }
        // Offline or the server is down: carry on with what the device knows.
        Err(_) => {}
    }
}

/// Logs in and takes the user's session; returns the error to show otherwise.
pub async fn log_in(ctx: Ctx, login: &str, password: &str) -> Result<(), AppError> {
    api::login(login, password).await?;
    let me = api::me().await?;
    remember(ctx, &me).await;
    ctx.session.need_login.set(false);
    adopt(ctx, me).await;
    if let Some(engine) = ctx.services.engine() {
        engine.reconnect_soon();
    }
    let home = home_of(ctx);
    ctx.router.replace(home);
    Ok(())
}

/// Logs out: ends the server session if it can, forgets the user on this device and stops
/// syncing. Documents and unsent reports stay on the device for the next login.
pub async fn log_out(ctx: Ctx) {
    let _ = api::logout().await;
    if let Some(store) = ctx.services.store() {
        let _ = store.delete_meta(META_ME).await;
    }
    ctx.services.set_engine(None);
    ctx.sync.rows.set(Vec::new());
    ctx.sync.doc_ready.set(false);
    ctx.session.need_login.set(false);
    ctx.session.me.set(None);
    ctx.router.replace(Route::Login);
}

async fn remember(ctx: Ctx, me: &Me) {
    if let Some(store) = ctx.services.store()
        && let Err(e) = store.set_meta(META_ME, &me.raw).await
    {
        leptos::logging::warn!("cannot keep the session on the device: {e}");
    }
}

/// Makes `me` the current user and (re)starts the sync engine when their document changed.
async fn adopt(ctx: Ctx, me: Me) {
    let doc = me.rider_doc.clone();
    let running = ctx.services.engine().map(|e| e.doc_id().to_owned());
    let same_user = ctx
        .session
        .me
        .with_untracked(|cur| cur.as_ref().is_some_and(|c| c.id == me.id));
    ctx.session.me.set(Some(me.clone()));
    if running.is_some() && running == doc && same_user {
        return;
    }
    ctx.services.set_engine(None);
    ctx.sync.rows.set(Vec::new());
    ctx.sync.doc_ready.set(false);
    let (Some(doc), Some(store)) = (doc, ctx.services.store()) else {
        return;
    };
    match Engine::start(&me, doc, store, ctx.sync, ctx.session).await {
        Ok(engine) => ctx.services.set_engine(Some(engine)),
        Err(e) => leptos::logging::warn!("cannot start syncing: {e}"),
    }
}

/// The page a user lands on.
fn home_of(ctx: Ctx) -> Route {
    match ctx
        .session
        .me
        .with_untracked(|m| m.as_ref().map(|m| m.role.is_staff()))
    {
        Some(true) => Route::Console,
        Some(false) => Route::Report,
        None => Route::Login,
    }
}

/// Keeps the route consistent with who is logged in: nobody sees the login page; riders
/// and staff each stay on their own pages.
pub fn route_for_session(ctx: Ctx) {
    let route = ctx.router.route_untracked();
    let staff = ctx
        .session
        .me
        .with_untracked(|m| m.as_ref().map(|m| m.role.is_staff()));
    let target = match (staff, route) {
        (None, Route::Login) => return,
        (None, _) => Route::Login,
        (Some(_), Route::Login) if !ctx.session.need_login.get_untracked() => home_of(ctx),
        (Some(true), r) if r.is_rider_tab() => Route::Console,
        (Some(false), Route::Console) => Route::Report,
        _ => return,
    };
    ctx.router.replace(target);
}
