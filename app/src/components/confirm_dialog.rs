//! A WeUI-style modal dialog asking the user to confirm an action.

use leptos::{html, prelude::*};

/// A title, a sentence, and two buttons side by side: the safe choice on the left (focused
/// first, and taken on Escape or a tap on the mask), the action on the right.
#[component]
pub fn ConfirmDialog(
    title: &'static str,
    #[prop(into)] message: Signal<String>,
    cancel_label: &'static str,
    confirm_label: &'static str,
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    // The dialog is modal: focus moves into it so keyboard and screen-reader users land on it.
    Effect::new(move |_| {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_cancel.run(());
        }
    };
    view! {
        <div class="mask" aria-hidden="true" on:click=move |_| on_cancel.run(())></div>
        <div
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="dialog-title"
            aria-describedby="dialog-body"
            data-testid="confirm-dialog"
            on:keydown=keydown
        >
            <h2 class="dialog-title" id="dialog-title">{title}</h2>
            <p class="dialog-body" id="dialog-body">{move || message.get()}</p>
            <div class="dialog-footer">
                <button
                    type="button"
                    class="dialog-btn"
                    node_ref=cancel_ref
                    on:click=move |_| on_cancel.run(())
                >
                    {cancel_label}
                </button>
                <button
                    type="button"
                    class="dialog-btn dialog-btn-warn"
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
            </div>
        </div>
    }
}
