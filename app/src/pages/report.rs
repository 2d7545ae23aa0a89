//! 随手拍: file a hazard report, and see the outbox below the form.

use leptos::prelude::*;

use crate::components::{outbox_list::OutboxList, report_form::ReportForm};

/// The rider's home tab.
#[component]
pub fn ReportPage() -> impl IntoView {
    view! {
        <ReportForm/>
        <OutboxList/>
    }
}
