//! 积分: the rider's points and rewards (not open yet).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;

/// The points tab, a placeholder until the ledger syncs.
#[component]
pub fn PointsPage() -> impl IntoView {
    view! { <ComingSoon/> }
}
