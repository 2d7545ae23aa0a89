//! 驿站: rider stations of the county (not open yet).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;

/// The stations tab, a placeholder until stations sync.
#[component]
pub fn StationPage() -> impl IntoView {
    view! { <ComingSoon/> }
}
