//! The always-visible synchronisation state.

use leptos::prelude::*;

use crate::{i18n, i18n::t, state::Ctx};

/// What the badge says, and its `data-state`. `settled` means the rider document is on the
/// device and everything received is written: only then, with no report and no photo left to
/// send, is "已同步" true, and the app safe to close and reopen offline.
fn badge(connected: bool, pending: usize, photos: usize, settled: bool) -> (&'static str, String) {
    let s = t();
    let (state, base) = match connected {
        true if settled && pending == 0 && photos == 0 => {
            return ("synced", s.badge_synced.to_owned());
        }
        true => ("syncing", s.badge_preparing),
        false => ("offline", s.badge_offline),
    };
    let mut text = base.to_owned();
    if pending > 0 {
        text = format!("{text} · {}", i18n::pending(pending));
    }
    if photos > 0 {
        text = format!("{text} · {}", i18n::photos_left(photos));
    }
    (state, text)
}

/// "离线 · 3 条待发送", "同步中 · 1 条待发送", "已同步": where the rider's reports stand.
#[component]
pub fn SyncBadge() -> impl IntoView {
    let ctx = Ctx::get();
    let state = Signal::derive(move || {
        let settled = ctx.sync.doc_ready.get() && !ctx.sync.unsaved.get();
        badge(
            ctx.sync.connected.get(),
            ctx.sync.pending(),
            ctx.sync.photos_left(),
            settled,
        )
    });
    view! { <Badge state/> }
}

/// A state badge: its `data-state` code and its text, whose ` · ` parts wrap as wholes.
#[component]
pub fn Badge(state: Signal<(&'static str, String)>) -> impl IntoView {
    view! {
        <span
            class="sync-badge"
            data-testid="sync-badge"
            data-state=move || state.get().0
            role="status"
            aria-live="polite"
        >
            <span class="sync-dot" aria-hidden="true"></span>
            // Each part stays whole; the parts wrap onto a second line on a narrow screen
            // rather than run under the title.
            {move || {
                let text = state.get().1;
                text.split(" · ")
                    .enumerate()
                    .map(|(i, part)| {
                        let part = if i == 0 { part.to_owned() } else { format!(" · {part}") };
                        view! { <span class="sync-part">{part}</span> }
                    })
                    .collect_view()
            }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::badge;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn badge_texts() {
        crate::i18n::set_lang(model::api::Lang::En);
        assert_eq!(badge(false, 1, 0, true).1, "Offline · 1 unsent");
        assert_eq!(badge(true, 0, 2, true).1, "Syncing · 2 photos left");
        crate::i18n::set_lang(model::api::Lang::Zh);
        assert_eq!(badge(false, 3, 0, true).1, "离线 · 3 条待发送");
        assert_eq!(badge(true, 1, 0, true).1, "同步中 · 1 条待发送");
        assert_eq!(badge(true, 0, 0, true).1, "已同步");
        assert_eq!(badge(true, 0, 0, false).1, "同步中");
        assert_eq!(badge(false, 0, 0, true).1, "离线");
        // A report the relay holds is not "synced" while its photos still wait.
        assert_eq!(
            badge(true, 0, 2, true),
            ("syncing", "同步中 · 2 张照片待上传".to_owned())
        );
        assert_eq!(
            badge(false, 1, 1, true).1,
            "离线 · 1 条待发送 · 1 张照片待上传"
        );
    }
}
