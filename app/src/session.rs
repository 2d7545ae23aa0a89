//! Starting up, logging in and out.
//!
//! The device is the source of truth for who is logged in when there is no network: the last
//! /api/me answer is kept in IndexedDB, so after one login the app starts and files reports
//! offline. The server is asked at start; a 401 only raises the "请重新登录" prompt and never
//! deletes anything the rider has not sent.
//!
//! Staff use the console, a separate build that needs the network and keeps nothing here: a
//! staff session is never kept on the device, and a staff login goes on to the console's page.

use leptos::prelude::*;

use crate::{
    error::AppError,
    net::{
        api,
        me::{self, Me},
    },
    router::Route,
    state::Ctx,
    store::{META_LOGOUT_PENDING, META_ME, Store},
    sync::handle::EngineHandle,
};

/// Reads the device's storage, shows what it knows, starts syncing, then checks the session.
pub async fn boot(ctx: Ctx) {
    let store = match Store::open().await {
        Ok(store) => {
            crate::time::mark_once("nx-store-open");
            store
        }
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
        .and_then(|t| me::parse(&t).ok())
        // Kept by an older version: staff sessions are checked with the server on each start.
        .filter(|me| !me.user.role.is_staff());
    if let Some(me) = stored {
        adopt(ctx, me).await;
    }
    ctx.session.booted.set(true);
    route_for_session(ctx);
    check_server(ctx).await;
}

/// Asks the server who is logged in, and takes its answer when there is one.
async fn check_server(ctx: Ctx) {
    if !finish_logout(ctx).await {
        return;
    }
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

/// Ends the server session of a logout made offline; returns false while the server cannot be
/// reached, so the surviving cookie is not mistaken for a login.
async fn finish_logout(ctx: Ctx) -> bool {
    let Some(store) = ctx.services.store() else {
        return true;
    };
    if !matches!(store.meta(META_LOGOUT_PENDING).await, Ok(Some(_))) {
        return true;
    }
    match api::logout().await {
        Err(AppError::Network(_)) => false,
        _ => {
            let _ = store.delete_meta(META_LOGOUT_PENDING).await;
            true
        }
    }
}

/// Logs in and takes the user's session; returns the error to show otherwise.
pub async fn log_in(ctx: Ctx, login: &str, password: &str) -> Result<(), AppError> {
    api::login(login, password).await?;
    let me = api::me().await?;
    enter(ctx, me).await;
    Ok(())
}

/// Creates a rider account with an invite code and logs it in, as [`log_in`] does.
pub async fn register(ctx: Ctx, form: &model::api::RegisterForm) -> Result<(), AppError> {
    let me = api::register(form).await?;
    enter(ctx, me).await;
    Ok(())
}

/// Takes `me` as the user after a login or a sign-up: keeps them on the device, (re)starts
/// syncing, and sends at once whatever waited for the new session.
async fn enter(ctx: Ctx, me: Me) {
    // The new session replaced the cookie that an offline logout left behind.
    if let Some(store) = ctx.services.store() {
        let _ = store.delete_meta(META_LOGOUT_PENDING).await;
    }
    remember(ctx, &me).await;
    ctx.session.need_login.set(false);
    adopt(ctx, me).await;
    if let Some(engine) = ctx.services.engine() {
        engine.reconnect_soon();
    }
    let home = home_of(ctx);
    ctx.router.replace(home);
}

/// Logs out: ends the server session if it can (else at the next start), forgets the user on
/// this device and stops syncing. Documents, sync states and outbox entries stay in IndexedDB,
/// keyed by document and report id, so unsent reports go out after the same rider's next login
/// on this device and never mix with another rider's.
pub async fn log_out(ctx: Ctx) {
    let offline = matches!(api::logout().await, Err(AppError::Network(_)));
    if let Some(store) = ctx.services.store() {
        if offline {
            let _ = store.set_meta(META_LOGOUT_PENDING, "1").await;
        }
        let _ = store.delete_meta(META_ME).await;
    }
    ctx.services.set_engine(None);
    ctx.sync.rows.set(Vec::new());
    ctx.sync.notices.set(Vec::new());
    ctx.sync.requests.set(Vec::new());
    ctx.sync.outcomes.set(Vec::new());
    ctx.sync.doc_ready.set(false);
    ctx.session.need_login.set(false);
    ctx.session.me.set(None);
    ctx.router.replace(Route::Login);
}

async fn remember(ctx: Ctx, me: &Me) {
    let Some(store) = ctx.services.store() else {
        return;
    };
    let kept = if me.user.role.is_staff() {
        store.delete_meta(META_ME).await
    } else {
        store.set_meta(META_ME, &me::to_text(me)).await
    };
    if let Err(e) = kept {
        leptos::logging::warn!("cannot keep the session on the device: {e}");
    }
}

/// Makes `me` the current user and (re)starts the sync engine when their document changed.
async fn adopt(ctx: Ctx, me: Me) {
    let doc = me.docs.rider.clone();
    let running = ctx.services.engine().map(|e| e.doc_id().to_owned());
    let same_user = ctx
        .session
        .me
        .with_untracked(|cur| cur.as_ref().is_some_and(|c| c.user.id == me.user.id));
    ctx.sync.notices_seen.set(notices_seen(me.user.id));
    ctx.session.me.set(Some(me.clone()));
    if running.is_some() && running == doc && same_user {
        return;
    }
    ctx.services.set_engine(None);
    ctx.sync.rows.set(Vec::new());
    ctx.sync.notices.set(Vec::new());
    ctx.sync.requests.set(Vec::new());
    ctx.sync.outcomes.set(Vec::new());
    ctx.sync.doc_ready.set(false);
    let (Some(doc), Some(store)) = (doc, ctx.services.store()) else {
        return;
    };
    match EngineHandle::start(&me, doc, store, ctx.sync, ctx.session) {
        Ok(engine) => ctx.services.set_engine(Some(engine)),
        Err(e) => leptos::logging::warn!("cannot start syncing: {e}"),
    }
}

/// The `localStorage` key of the highest notice id `user_id` has read on this device.
fn notices_seen_key(user_id: i64) -> String {
    format!("nx.notices_seen.{user_id}")
}

/// The highest notice id `user_id` has read on this device (0: none).
fn notices_seen(user_id: i64) -> u64 {
    crate::kept::get(&notices_seen_key(user_id))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Keeps on this device that `user_id` has read the notices up to `id`.
pub fn keep_notices_seen(user_id: i64, id: u64) {
    crate::kept::set(&notices_seen_key(user_id), &id.to_string());
}

/// The page a user lands on.
fn home_of(ctx: Ctx) -> Route {
    match ctx
        .session
        .me
        .with_untracked(|m| m.as_ref().map(|m| m.user.role.is_staff()))
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
        .with_untracked(|m| m.as_ref().map(|m| m.user.role.is_staff()));
    let target = match (staff, route) {
        (None, r) if r.is_public() => return,
        (None, _) => Route::Login,
        (Some(_), r) if r.is_public() && !ctx.session.need_login.get_untracked() => home_of(ctx),
        (Some(true), r) if r.is_rider_tab() => Route::Console,
        (Some(false), Route::Console) => Route::Report,
        _ => return,
    };
    ctx.router.replace(target);
}
