//! 奖品管理: the county's catalogue of rewards, as its supervisors keep it in the console. A
//! change reaches riders' phones through the stations document at their next sync.
//!
//! The stock is changed by an amount, never set: a redemption decided while the supervisor
//! types is not undone by the figure on the screen.

use leptos::prelude::*;
use model::api::{CatalogueItem, RewardForm};

use crate::{
    i18n::{self, t},
    net::api,
};

/// What the rows of the form hold while typed.
#[derive(Debug, Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    price: RwSignal<String>,
    change: RwSignal<String>,
    active: RwSignal<bool>,
    /// The picture's SHA-256, or empty.
    photo: RwSignal<String>,
}

impl Fields {
    fn new(name: &str, price: i64, active: bool, photo: &str) -> Self {
        Fields {
            name: RwSignal::new(name.to_owned()),
            price: RwSignal::new(if price > 0 {
                price.to_string()
            } else {
                String::new()
            }),
            change: RwSignal::new(String::new()),
            active: RwSignal::new(active),
            photo: RwSignal::new(photo.to_owned()),
        }
    }

    /// The form to send; a figure that is not a number is sent as 0 and refused by the server
    /// with its reason.
    fn form(self) -> RewardForm {
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<i64>().unwrap_or(0);
        RewardForm {
            name: self.name.get_untracked(),
            price: number(self.price),
            active: self.active.get_untracked(),
            stock_change: number(self.change),
            photo: self.photo.get_untracked(),
        }
    }
}

/// Prepares a picture as the phone prepares a report's photo (downscaled JPEG, no EXIF) and
/// uploads it; returns its SHA-256 name.
async fn upload_picture(file: &web_sys::File) -> Result<String, crate::error::AppError> {
    let prepared = crate::photo::prepare(file).await?;
    match crate::net::upload::put_photo(&prepared.sha256, &prepared.jpeg, |_| {}).await? {
        crate::net::upload::Outcome::Stored => Ok(prepared.sha256),
        crate::net::upload::Outcome::Unauthorized => Err(crate::error::AppError::Unauthorized),
        crate::net::upload::Outcome::Refused(code) | crate::net::upload::Outcome::Retry(code) => {
            Err(crate::error::AppError::Photo(code))
        }
    }
}

/// The inputs of one reward: name, price, stock change, offered, picture.
#[component]
fn RewardInputs(
    fields: Fields,
    #[prop(into)] testid: String,
    /// The stock's label: the stock of a new reward, or the change to an existing one's.
    stock_label: &'static str,
) -> impl IntoView {
    let s = t();
    // The picture being prepared and uploaded, or why it failed.
    let picking = RwSignal::new(None::<String>);
    view! {
        <input
            type="text"
            class="catalogue-name"
            maxlength="20"
            aria-label=s.catalogue_name
            placeholder=s.catalogue_name
            data-testid=format!("{testid}-name")
            prop:value=move || fields.name.get()
            on:input=move |ev| fields.name.set(event_target_value(&ev))
        />
        <input
            type="number"
            class="catalogue-figure"
            min="1"
            aria-label=s.catalogue_price
            placeholder=s.catalogue_price
            data-testid=format!("{testid}-price")
            prop:value=move || fields.price.get()
            on:input=move |ev| fields.price.set(event_target_value(&ev))
        />
        <input
            type="number"
            class="catalogue-figure"
            aria-label=stock_label
            placeholder=stock_label
            data-testid=format!("{testid}-change")
            prop:value=move || fields.change.get()
            on:input=move |ev| fields.change.set(event_target_value(&ev))
        />
        <label class="catalogue-picture">
            {
                let testid = testid.clone();
                move || {
                let sha = fields.photo.get();
                (!sha.is_empty()).then(|| view! {
                    <img src=format!("/api/photos/{sha}") alt="" width="32" height="32" data-testid=format!("{testid}-picture")/>
                })
            }
            }
            <input
                type="file"
                accept="image/*"
                aria-label=s.catalogue_picture
                data-testid=format!("{testid}-picture-file")
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
                    picking.set(Some(s.catalogue_picture_busy.to_owned()));
                    leptos::task::spawn_local(async move {
                        let said = match upload_picture(&file).await {
                            Ok(sha) => {
                                let _ = fields.photo.try_set(sha);
                                None
                            }
                            Err(e) => Some(e.to_string()),
                        };
                        let _ = picking.try_set(said);
                    });
                }
            />
            {move || picking.get().map(|p| view! { <span class="catalogue-stock" role="status">{p}</span> })}
        </label>
        <label class="catalogue-active">
            <input
                type="checkbox"
                data-testid=format!("{testid}-active")
                prop:checked=move || fields.active.get()
                on:change=move |ev| fields.active.set(event_target_checked(&ev))
            />
            {s.catalogue_active}
        </label>
    }
}

/// The catalogue: a row per reward (editable in place), and a form for a new one.
#[component]
pub fn CataloguePanel() -> impl IntoView {
    let s = t();
    let items = RwSignal::new(None::<Result<Vec<CatalogueItem>, String>>);
    let editing = RwSignal::new(None::<i64>);
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        let got = api::catalogue().await.map_err(|e| e.to_string());
        let _ = items.try_set(Some(got));
    });
    let fresh = Fields::new("", 0, true, "");
    // Saves a new reward (`id` none) or a change; the row is replaced by the server's answer.
    let save = move |id: Option<i64>, fields: Fields| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(None);
        let form = fields.form();
        leptos::task::spawn_local(async move {
            match api::save_reward(id, &form).await {
                Ok(item) => {
                    let _ = items.try_update(|all| {
                        if let Some(Ok(all)) = all {
                            match all.iter_mut().find(|i| i.id == item.id) {
                                Some(old) => *old = item,
                                None => all.push(item),
                            }
                        }
                    });
                    if id.is_none() {
                        fresh.name.set(String::new());
                        fresh.price.set(String::new());
                        fresh.change.set(String::new());
                        fresh.active.set(true);
                        fresh.photo.set(String::new());
                    }
                    let _ = editing.try_set(None);
                }
                Err(e) => {
                    let _ = failed.try_set(Some(e.to_string()));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let row = move |item: CatalogueItem| {
        let id = item.id;
        move || {
            if editing.get() == Some(id) {
                let fields = Fields::new(&item.name, item.price, item.active, &item.photo);
                view! {
                    <tr data-testid="catalogue-row" data-editing="1">
                        <td colspan="4">
                            <form
                                class="catalogue-form"
                                on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    save(Some(id), fields);
                                }
                            >
                                <RewardInputs fields testid="edit" stock_label=s.catalogue_change/>
                                <span class="catalogue-stock">{s.catalogue_stock} " " {item.stock}</span>
                                <button type="submit" class="btn-mini btn-mini-primary" disabled=move || busy.get()>
                                    {s.catalogue_save}
                                </button>
                                <button type="button" class="btn-mini" on:click=move |_| editing.set(None)>
                                    {s.catalogue_cancel}
                                </button>
                            </form>
                        </td>
                    </tr>
                }
                .into_any()
            } else {
                view! {
                    <tr data-testid="catalogue-row" data-id=id>
                        <td translate="no">
                            {(!item.photo.is_empty()).then(|| view! {
                                <img class="catalogue-thumb" src=format!("/api/photos/{}", item.photo) alt="" width="32" height="32"/>
                            })}
                            {item.name.clone()}
                        </td>
                        <td>{i18n::number(item.price.max(0) as u64)}</td>
                        <td data-testid="catalogue-stock">{i18n::number(item.stock.max(0) as u64)}</td>
                        <td>
                            {if item.active { s.catalogue_active } else { s.catalogue_withdrawn }}
                            " "
                            <button type="button" class="btn-mini" on:click=move |_| editing.set(Some(id))>
                                {s.catalogue_edit}
                            </button>
                        </td>
                    </tr>
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="console-catalogue" data-testid="catalogue">
            <p class="group-title">{s.catalogue_title}</p>
            {move || match items.get() {
                None => view! { <p class="empty">{s.loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(all)) => view! {
                    <table class="console-table catalogue-table">
                        <thead>
                            <tr>
                                <th scope="col">{s.catalogue_name}</th>
                                <th scope="col">{s.catalogue_price}</th>
                                <th scope="col">{s.catalogue_stock}</th>
                                <th scope="col">{s.catalogue_active}</th>
                            </tr>
                        </thead>
                        <tbody>{all.into_iter().map(row).collect_view()}</tbody>
                    </table>
                }.into_any(),
            }}
            <form
                class="catalogue-form"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save(None, fresh);
                }
            >
                <RewardInputs fields=fresh testid="new" stock_label=s.catalogue_stock/>
                <button type="submit" class="btn-mini btn-mini-primary" data-testid="catalogue-add" disabled=move || busy.get()>
                    {s.catalogue_add}
                </button>
            </form>
            {move || failed.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <p class="group-note">{s.catalogue_note}</p>
        </section>
    }
}
