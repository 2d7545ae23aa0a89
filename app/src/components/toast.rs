//! The WeUI-style toast: a short message in the middle of the screen for two seconds.

use std::time::Duration;

use leptos::prelude::*;

use crate::state::Ctx;

const SHOWN_FOR: Duration = Duration::from_millis(2_000);

/// Shows [`crate::state::Toast`] messages.
#[component]
pub fn ToastView() -> impl IntoView {
    let toast = Ctx::get().toast;
    Effect::new(move |_| {
        if let Some((serial, _)) = toast.current.get() {
            set_timeout(
                move || {
                    // A newer message restarts the clock; only this message's timer hides it.
                    if toast.current.with_untracked(|c| c.as_ref().map(|c| c.0)) == Some(serial) {
                        toast.current.set(None);
                    }
                },
                SHOWN_FOR,
            );
        }
    });
    view! {
        <div class="toast-wrap" role="status" aria-live="polite">
            {move || {
                toast
                    .current
                    .get()
                    .map(|(_, text)| view! { <div class="toast" data-testid="toast">{text}</div> })
            }}
        </div>
    }
}
