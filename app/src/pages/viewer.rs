//! The console's full-size photo viewer: a report's photos over the page, one at a time, fitted
//! to the window and zoomable. Keys: ←/→ the other photos, + and − zoom, 0 fits, Escape closes
//! (and gives the focus back to the report's row).

use leptos::{ev::KeyboardEvent, prelude::*};

use crate::i18n::{self, t};

/// The photos shown: the report they belong to, their names, and which one is on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewing {
    pub report: String,
    pub photos: Vec<String>,
    pub at: usize,
}

/// The zoom steps, as multiples of the fitted size.
const ZOOMS: [f64; 6] = [1.0, 1.5, 2.0, 3.0, 4.0, 6.0];

/// Shown while `viewing` holds photos.
#[component]
pub fn PhotoViewer(viewing: RwSignal<Option<Viewing>>) -> impl IntoView {
    let s = t();
    // An index into ZOOMS.
    let zoom = RwSignal::new(0usize);
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || {
        if let Some(el) = dialog.get() {
            let _ = el.focus();
        }
    });
    let close = move || {
        let report = viewing.with_untracked(|v| v.as_ref().map(|v| v.report.clone()));
        viewing.set(None);
        // Back to the report's row, so the keyboard carries on where it was.
        if let Some(row) = report.and_then(|id| {
            document()
                .query_selector(&format!("tr[data-id=\"{id}\"]"))
                .ok()
                .flatten()
        }) && let Ok(row) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(row)
        {
            let _ = row.focus();
        }
    };
    let step = move |by: isize| {
        zoom.set(0);
        viewing.update(|v| {
            if let Some(v) = v {
                let n = v.photos.len() as isize;
                v.at = (v.at as isize + by).rem_euclid(n.max(1)) as usize;
            }
        });
    };
    let zoom_by = move |by: isize| {
        zoom.update(|z| *z = (*z as isize + by).clamp(0, ZOOMS.len() as isize - 1) as usize);
    };
    let on_key = move |ev: KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" => close(),
            "ArrowRight" | "j" => step(1),
            "ArrowLeft" | "k" => step(-1),
            "+" | "=" => zoom_by(1),
            "-" => zoom_by(-1),
            "0" => zoom.set(0),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    let url = move || {
        viewing.with(|v| {
            v.as_ref()
                .and_then(|v| v.photos.get(v.at))
                .map(|sha| format!("/api/photos/{sha}"))
                .unwrap_or_default()
        })
    };
    let count = move || viewing.with(|v| v.as_ref().map_or(0, |v| v.photos.len()));
    let style = move || {
        let z = ZOOMS[zoom.get()];
        if z > 1.0 {
            format!("max-width: none; max-height: none; width: {}%", z * 100.0)
        } else {
            String::new()
        }
    };
    view! {
        <div
            class="viewer"
            role="dialog"
            aria-modal="true"
            aria-label=s.viewer_title
            tabindex="-1"
            data-testid="photo-viewer"
            node_ref=dialog
            on:keydown=on_key
        >
            <div class="viewer-bar">
                <span class="viewer-count" data-testid="viewer-count">
                    {move || viewing.with(|v| v.as_ref().map(|v| i18n::nth_of(v.at + 1, v.photos.len())).unwrap_or_default())}
                </span>
                <Show when=move || { count() > 1 }>
                    <button type="button" class="btn-mini" on:click=move |_| step(-1)>{s.viewer_prev}</button>
                    <button type="button" class="btn-mini" on:click=move |_| step(1)>{s.viewer_next}</button>
                </Show>
                <button type="button" class="btn-mini" data-testid="viewer-zoom-out" on:click=move |_| zoom_by(-1)>{s.viewer_zoom_out}</button>
                <button type="button" class="btn-mini" on:click=move |_| zoom.set(0)>{s.viewer_fit}</button>
                <button type="button" class="btn-mini" data-testid="viewer-zoom-in" on:click=move |_| zoom_by(1)>{s.viewer_zoom_in}</button>
                <span class="viewer-zoom" data-testid="viewer-zoom">{move || format!("{}%", (ZOOMS[zoom.get()] * 100.0) as u32)}</span>
                <a class="btn-mini btn-link-mini" href=url target="_blank" rel="noopener">{s.viewer_original}</a>
                <button type="button" class="btn-mini btn-mini-danger" data-testid="viewer-close" on:click=move |_| close()>{s.viewer_close}</button>
            </div>
            <div class="viewer-stage" on:click=move |ev| {
                // A click beside the photo closes, as on a phone.
                if ev.target() == ev.current_target() {
                    close();
                }
            }>
                <img src=url alt="" style=style data-testid="viewer-photo"/>
            </div>
        </div>
    }
}
