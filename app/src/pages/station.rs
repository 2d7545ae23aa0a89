//! 驿站: the rider stations of the county, from the county's stations document (read-only,
//! kept on the phone, so the list is there offline too).

use leptos::prelude::*;

use crate::{
    i18n::{self, t},
    state::Ctx,
};

/// The stations tab.
#[component]
pub fn StationPage() -> impl IntoView {
    let stations = Ctx::get().sync.stations;
    let s = t();
    move || {
        match stations.get() {
        None => view! { <p class="empty">{s.stations_loading}</p> }.into_any(),
        Some(list) if list.is_empty() => view! { <p class="empty">{s.stations_empty}</p> }.into_any(),
        Some(list) => view! {
            <ul class="cells stations" aria-label=s.tab_station>
                {list
                    .into_iter()
                    .map(|(id, st)| {
                        let facilities = st
                            .facilities
                            .iter()
                            .map(|f| view! { <li class="facility">{i18n::facility_label(f).to_owned()}</li> })
                            .collect_view();
                        view! {
                            <li class="cell station" data-testid="station" data-id=id>
                                // The county's own words: shown as written, in any language.
                                <p class="st-name" translate="no">{st.name.clone()}</p>
                                <p class="st-meta" translate="no">{st.address.clone()} " · " {st.hours.clone()}</p>
                                <ul class="facilities">{facilities}</ul>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
    }
}
