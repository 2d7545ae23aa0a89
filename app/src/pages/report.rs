//! 随手拍: file a hazard report, and see the outbox below the form.

use leptos::prelude::*;

use crate::{
    components::{outbox_list::OutboxList, report_form::ReportForm},
    state::{Ctx, Filing},
};

/// The rider's home tab.
#[component]
pub fn ReportPage() -> impl IntoView {
    provide_context(Filing::of(Ctx::get()));
    view! {
        <ReportForm/>
        <OutboxList/>
    }
}
