//! Adding 1–3 photos to a report: from the camera or the gallery. Each is prepared on the
//! phone at once ([`crate::photo::prepare`]) and shown as a thumbnail that can be removed
//! before the report is submitted.

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::{
    i18n::{self, t},
    photo::{Prepared, ThumbUrl, prepare},
};

/// The most photos a report may carry.
pub const MAX_PHOTOS: usize = model::validate::MAX_PHOTOS;

/// A prepared photo with the object URL of its thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub photo: Prepared,
    pub url: String,
}

/// The photos picked for the report being written, and whether one is still being prepared.
#[derive(Debug, Clone, Copy)]
pub struct PhotoInput {
    pub picked: RwSignal<Vec<Picked>>,
    pub preparing: RwSignal<u32>,
    /// What went wrong with the last files chosen, shown under the photos.
    pub problem: RwSignal<Option<String>>,
    /// The thumbnails' object URLs, by hash: revoked when a photo is removed, when the report
    /// is saved, and when the form goes away.
    urls: StoredValue<HashMap<String, ThumbUrl>, LocalStorage>,
}

impl PhotoInput {
    pub fn new() -> Self {
        Self {
            picked: RwSignal::new(Vec::new()),
            preparing: RwSignal::new(0),
            problem: RwSignal::new(None),
            urls: StoredValue::new_local(HashMap::new()),
        }
    }

    /// Empties the list after the report is saved.
    pub fn clear(&self) {
        self.urls.update_value(HashMap::clear);
        self.picked.set(Vec::new());
        self.problem.set(None);
    }
}

impl Default for PhotoInput {
    fn default() -> Self {
        Self::new()
    }
}

/// The files of an `<input type=file>` change event.
fn chosen_files(ev: &leptos::ev::Event) -> (Option<HtmlInputElement>, Vec<web_sys::File>) {
    let input = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok());
    let files = input
        .as_ref()
        .and_then(|i| i.files())
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default();
    (input, files)
}

/// The photo cells of the report form.
#[component]
pub fn PhotoPicker(input: PhotoInput) -> impl IntoView {
    let s = t();
    on_cleanup(move || input.urls.update_value(HashMap::clear));
    let on_files = move |ev: leptos::ev::Event| {
        let (element, files) = chosen_files(&ev);
        let taken =
            input.picked.with_untracked(Vec::len) + input.preparing.get_untracked() as usize;
        let room = MAX_PHOTOS.saturating_sub(taken);
        let left_out = files.len().saturating_sub(room);
        input
            .problem
            .set((left_out > 0).then(|| i18n::photos_over_limit(MAX_PHOTOS, left_out)));
        for file in files.into_iter().take(room) {
            input.preparing.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                let started = crate::time::perf_now();
                let prepared = prepare(&file).await;
                crate::time::record_photo_ms(crate::time::perf_now() - started);
                match prepared {
                    Ok(photo) => {
                        input.picked.update(|list| {
                            let dup = list.iter().any(|p| p.photo.sha256 == photo.sha256);
                            if list.len() >= MAX_PHOTOS || dup {
                                return;
                            }
                            let Some(thumb) = ThumbUrl::jpeg(&photo.thumb) else {
                                return;
                            };
                            let url = thumb.url();
                            input.urls.update_value(|u| {
                                u.insert(photo.sha256.clone(), thumb);
                            });
                            list.push(Picked { photo, url });
                        });
                    }
                    Err(e) => {
                        leptos::logging::warn!("photo not readable: {e}");
                        input.problem.set(Some(s.photo_unreadable.to_owned()));
                    }
                }
                input.preparing.update(|n| *n = n.saturating_sub(1));
            });
        }
        // The same file may be picked again after it is removed.
        if let Some(el) = element {
            el.set_value("");
        }
    };
    let full = move || input.picked.with(Vec::len) + input.preparing.get() as usize >= MAX_PHOTOS;
    view! {
        <div class="group">
            <p class="group-title" id="photo-title">{s.photo_title}</p>
            <div class="photo-picker" role="group" aria-labelledby="photo-title">
                <For
                    each=move || input.picked.get()
                    key=|p| p.photo.sha256.clone()
                    children=move |p| {
                        let sha = p.photo.sha256.clone();
                        view! {
                            <figure class="photo-thumb" data-testid="picked-photo">
                                <img src=p.url.clone() alt="" width="72" height="72"/>
                                <button
                                    type="button"
                                    class="photo-remove"
                                    aria-label=s.photo_remove
                                    on:click=move |_| {
                                        input.picked.update(|l| l.retain(|x| x.photo.sha256 != sha));
                                        input.urls.update_value(|u| {
                                            u.remove(&sha);
                                        });
                                    }
                                >
                                    "×"
                                </button>
                            </figure>
                        }
                    }
                />
                {move || {
                    (input.preparing.get() > 0)
                        .then(|| view! { <p class="photo-preparing" role="status">{s.photo_preparing}</p> })
                }}
                {move || {
                    input.problem.get().map(|p| view! {
                        <p class="photo-problem" role="alert" data-testid="photo-problem">{p}</p>
                    })
                }}
                <Show when=move || !full()>
                    <label class="photo-add">
                        <input
                            type="file"
                            accept="image/*"
                            capture="environment"
                            data-testid="photo-camera"
                            on:change=on_files
                        />
                        <span>{s.photo_camera}</span>
                    </label>
                    <label class="photo-add">
                        <input
                            type="file"
                            accept="image/jpeg,image/png,image/webp,image/*"
                            multiple
                            data-testid="photo-gallery"
                            on:change=on_files
                        />
                        <span>{s.photo_gallery}</span>
                    </label>
                </Show>
            </div>
        </div>
    }
}
