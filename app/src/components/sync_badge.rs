//! The always-visible synchronisation state.

use leptos::prelude::*;

use crate::{i18n, i18n::t, state::Ctx};

/// What the badge says, and its `data-state`. `settled` means the rider document is on the
/// device and everything received is written: only then is "已同步" true, and the app safe to
/// close and reopen offline.
fn badge(connected: bool, pending: usize, settled: bool) -> (&'static str, String) {
    let s = t();
    match (connected, pending) {
        (true, 0) if settled => ("synced", s.badge_synced.to_owned()),
        (true, 0) => ("syncing", s.badge_preparing.to_owned()),
        (true, n) => (
            "syncing",
            format!("{} · {}", s.badge_preparing, i18n::pending(n)),
        ),
        (false, 0) => ("offline", s.badge_offline.to_owned()),
        (false, n) => (
            "offline",
            format!("{} · {}", s.badge_offline, i18n::pending(n)),
        ),
    }
}

/// "离线 · 3 条待发送", "同步中 · 1 条待发送", "已同步" for riders; the live feed's state for
/// supervisors.
#[component]
pub fn SyncBadge() -> impl IntoView {
    let ctx = Ctx::get();
    let staff = move || {
        ctx.session
            .me
            .with(|m| m.as_ref().is_some_and(|m| m.role.is_staff()))
    };
    let state = move || {
        if staff() {
            if ctx.sync.feed_live.get() {
                ("live", t().badge_live.to_owned())
            } else {
                ("offline", t().badge_connecting.to_owned())
            }
        } else {
            let settled = ctx.sync.doc_ready.get() && !ctx.sync.unsaved.get();
            badge(ctx.sync.connected.get(), ctx.sync.pending(), settled)
        }
    };
    view! {
        <span
            class="sync-badge"
            data-testid="sync-badge"
            data-state=move || state().0
            role="status"
            aria-live="polite"
        >
            <span class="sync-dot" aria-hidden="true"></span>
            {move || state().1}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::badge;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn badge_texts() {
        assert_eq!(badge(false, 3, true).1, "离线 · 3 条待发送");
        assert_eq!(badge(true, 1, true).1, "同步中 · 1 条待发送");
        assert_eq!(badge(true, 0, true).1, "已同步");
        assert_eq!(badge(true, 0, false).1, "同步中");
        assert_eq!(badge(false, 0, true).1, "离线");
    }
}
