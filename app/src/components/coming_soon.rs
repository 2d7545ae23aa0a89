//! The plain placeholder of a tab that is not open yet.

use leptos::prelude::*;

use crate::i18n::t;

/// "即将开放", with no made-up content.
#[component]
pub fn ComingSoon() -> impl IntoView {
    view! {
        <section class="coming" data-testid="coming-soon">
            <p class="coming-title">{t().coming_soon}</p>
            <p class="coming-hint">{t().coming_soon_hint}</p>
        </section>
    }
}
