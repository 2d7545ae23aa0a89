//! The 随手拍 form: category, note, photos, location, submit. Submitting saves the report and
//! its photos on the phone at once, in one transaction.

use std::time::Duration;

use leptos::{ev::SubmitEvent, prelude::*};
use model::{Category, Report, ReportId, validate};

use crate::{
    components::{
        location_field::{LocationField, LocationInput, Resolved},
        photo_picker::{PhotoInput, PhotoPicker},
    },
    i18n::{self, t},
    state::Filing,
    store::{PhotoEntry, PhotoState},
    time,
};

/// How long "已保存到手机" stays under the form.
const SAVED_SHOWN_FOR: Duration = Duration::from_millis(3_000);

/// What the form's status line says: a save (by report id, so two saves in a row each get
/// their full time) or the one error that stops the submission.
#[derive(Debug, Clone, PartialEq)]
enum FormStatus {
    Saved(String),
    Error(String),
}

/// Builds and checks a report from the form's values.
pub fn build_report(
    category: Option<Category>,
    note: &str,
    location: Resolved,
    now_ms: f64,
) -> Result<Report, String> {
    let category = category.ok_or_else(|| t().form_need_category.to_owned())?;
    let report = Report {
        id: ReportId::new().to_string(),
        category: category.code().to_owned(),
        note: note.trim().to_owned(),
        lat: location.lat,
        lon: location.lon,
        accuracy_m: location.accuracy_m,
        location_source: location.source.code().to_owned(),
        place: location.place,
        created_at: now_ms as i64,
        photos: Vec::new(),
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
    };
    match validate::check_report(&report.id, &report, now_ms as i64).first() {
        Some(problem) => Err(i18n::problem(problem)),
        None => Ok(report),
    }
}

/// The report form of the 随手拍 tab.
#[component]
pub fn ReportForm() -> impl IntoView {
    let filing = Filing::get();
    let s = t();
    let category = RwSignal::new(None::<Category>);
    let note = RwSignal::new(String::new());
    let location = LocationInput::new();
    let photos = PhotoInput::new();
    let busy = RwSignal::new(false);
    // Locate as soon as the form opens: by the time the rider has picked a category the fix
    // is usually there.
    location.locate();
    Effect::new(move || {
        if filing.ready.get() {
            crate::time::mark_once("nx-form-usable");
        }
    });

    // One place for what the form has to say: the status line above 提交, never over it.
    let status = RwSignal::new(None::<FormStatus>);
    let say = move |st: FormStatus| {
        let shown = st.clone();
        status.set(Some(st));
        if matches!(shown, FormStatus::Saved(_)) {
            set_timeout(
                move || {
                    if status.get_untracked().as_ref() == Some(&shown) {
                        status.set(None);
                    }
                },
                SAVED_SHOWN_FOR,
            );
        }
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let tapped = time::perf_now();
        if busy.get_untracked() {
            return;
        }
        let now = time::now_ms();
        let built = location.resolve(now).and_then(|loc| {
            build_report(category.get_untracked(), &note.get_untracked(), loc, now)
        });
        let picked = photos.picked.get_untracked();
        let built = built.map(|mut r| {
            r.photos = picked.iter().map(|p| p.photo.sha256.clone()).collect();
            // The earliest capture time among the photos, and where that photo was taken.
            let earliest = picked
                .iter()
                .filter_map(|p| Some((p.photo.exif.taken_at_ms()?, &p.photo.exif)))
                .min_by_key(|(t, _)| *t);
            if let Some((t, exif)) = earliest {
                r.photo_taken_at = Some(t);
                r.photo_lat = exif.lat;
                r.photo_lon = exif.lon;
            }
            r
        });
        let report = match built {
            Ok(r) => r,
            Err(message) => {
                say(FormStatus::Error(message));
                return;
            }
        };
        let Some(engine) = filing.engine() else {
            say(FormStatus::Error(s.form_doc_not_ready.to_owned()));
            return;
        };
        status.set(None);
        busy.set(true);
        let entries: Vec<PhotoEntry> = picked
            .into_iter()
            .map(|p| PhotoEntry {
                bytes: p.photo.jpeg.len() as u32,
                sha256: p.photo.sha256,
                report_id: report.id.clone(),
                jpeg: Some(p.photo.jpeg),
                thumb: p.photo.thumb,
                state: PhotoState::Pending,
                created_at: report.created_at as f64,
            })
            .collect();
        let saved_id = report.id.clone();
        leptos::task::spawn_local(async move {
            match engine.file(report, entries).await {
                Ok(committed_at) => {
                    time::record_save_ms(committed_at - tapped);
                    say(FormStatus::Saved(saved_id));
                    category.set(None);
                    note.set(String::new());
                    photos.clear();
                    // The next report gets a location of its own.
                    location.reset();
                }
                Err(e) => say(FormStatus::Error(format!(
                    "{}{}{e}",
                    s.form_save_failed, s.note_separator
                ))),
            }
            busy.set(false);
        });
    };

    view! {
        <form class="report-form" on:submit=submit novalidate>
            <fieldset class="group">
                <legend class="group-title">{s.form_category}</legend>
                <div class="chips">
                    {Category::ALL
                        .into_iter()
                        .map(|c| {
                            let checked = move || category.get() == Some(c);
                            view! {
                                <label class="chip" class:checked=checked>
                                    <input
                                        type="radio"
                                        name="category"
                                        value=c.code()
                                        prop:checked=checked
                                        on:change=move |_| category.set(Some(c))
                                    />
                                    <span>{i18n::category_label(c)}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <div class="group">
                <label class="group-title" for="report-note">{s.form_note}</label>
                <div class="cells">
                    <div class="cell cell-textarea">
                        <textarea
                            id="report-note"
                            rows="3"
                            maxlength=validate::MAX_NOTE_CHARS.to_string()
                            placeholder=s.form_note_placeholder
                            bind:value=note
                        ></textarea>
                        <span class="counter" aria-hidden="true">
                            {move || note.with(|n| n.chars().count())}
                            "/"
                            {validate::MAX_NOTE_CHARS}
                        </span>
                    </div>
                </div>
            </div>
            <PhotoPicker input=photos/>
            <LocationField input=location/>
            <div class="form-actions">
                <p class="form-status" role="status" aria-live="polite" data-testid="form-status">
                    {move || match status.get() {
                        Some(FormStatus::Error(e)) => {
                            view! { <span class="form-error">{e}</span> }.into_any()
                        }
                        Some(FormStatus::Saved(_)) => {
                            view! { <span class="form-saved">{s.form_saved}</span> }.into_any()
                        }
                        None => ().into_any(),
                    }}
                </p>
                <button
                    type="submit"
                    class="btn btn-primary"
                    disabled=move || { busy.get() || photos.preparing.get() > 0 }
                >
                    {s.form_submit}
                </button>
            </div>
        </form>
    }
}
