//! 县级设置: a county's own reasons for an invalid report, departments to forward to, award per
//! category and duplicate share, as its supervisors keep them in the console. The triage keys
//! use them at once; riders' phones get the awards at their next sync.

use leptos::prelude::*;
use model::{
    Category,
    api::{CategoryAward, CountySettings},
};

use crate::{
    i18n::{self, t},
    net::api,
};

/// One item per non-blank line.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The settings form; `settings` is the console's copy, replaced by what the server stored.
#[component]
pub fn SettingsPanel(settings: RwSignal<CountySettings>) -> impl IntoView {
    let s = t();
    let now = settings.get_untracked();
    let reasons = RwSignal::new(now.reasons.join("\n"));
    let departments = RwSignal::new(now.departments.join("\n"));
    let share = RwSignal::new(now.duplicate_share.to_string());
    let awards: Vec<(Category, RwSignal<String>)> = Category::ALL
        .iter()
        .map(|&c| (c, RwSignal::new(now.award(c).to_string())))
        .collect();
    let said = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let fields = awards.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // A figure that is not a number goes as one over the limit, so the server names the
        // rule it breaks.
        let number = |text: String| text.trim().parse::<u32>().unwrap_or(u32::MAX);
        let form = CountySettings {
            reasons: lines(&reasons.get_untracked()),
            departments: lines(&departments.get_untracked()),
            awards: fields
                .iter()
                .map(|(category, points)| CategoryAward {
                    category: *category,
                    points: number(points.get_untracked()),
                })
                .collect(),
            duplicate_share: number(share.get_untracked()),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = match api::save_settings(&form).await {
                Ok(stored) => {
                    let _ = settings.try_set(stored);
                    (true, t().settings_saved.to_owned())
                }
                Err(e) => (false, e.to_string()),
            };
            let _ = said.try_set(Some(answer));
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="console-settings" data-testid="settings" on:submit=submit>
            <p class="group-title">{s.settings_title}</p>
            <div class="settings-lists">
                <label>
                    {s.settings_reasons}
                    <textarea
                        rows="6"
                        data-testid="settings-reasons"
                        prop:value=move || reasons.get()
                        on:input=move |ev| reasons.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <label>
                    {s.settings_departments}
                    <textarea
                        rows="6"
                        data-testid="settings-departments"
                        prop:value=move || departments.get()
                        on:input=move |ev| departments.set(event_target_value(&ev))
                    ></textarea>
                </label>
            </div>
            <fieldset class="settings-awards">
                <legend>{s.settings_awards}</legend>
                {awards
                    .into_iter()
                    .map(|(category, points)| view! {
                        <label>
                            {i18n::category_label(category)}
                            <input
                                type="number"
                                min="0"
                                max="100"
                                data-testid=format!("settings-award-{}", category.code())
                                prop:value=move || points.get()
                                on:input=move |ev| points.set(event_target_value(&ev))
                            />
                        </label>
                    })
                    .collect_view()}
                <label>
                    {s.settings_share}
                    <input
                        type="number"
                        min="0"
                        max="100"
                        data-testid="settings-share"
                        prop:value=move || share.get()
                        on:input=move |ev| share.set(event_target_value(&ev))
                    />
                </label>
            </fieldset>
            <button type="submit" class="btn-mini btn-mini-primary" data-testid="settings-save" disabled=move || busy.get()>
                {s.settings_save}
            </button>
            {move || said.get().map(|(ok, text)| view! {
                <p class:form-error=!ok class:group-note=ok role="status" data-testid="settings-result">{text}</p>
            })}
        </form>
    }
}
