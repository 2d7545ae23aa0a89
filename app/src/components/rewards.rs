//! 积分兑换 and 我的兑换 on the 积分 tab: the county's rewards as last synced, and the rider's
//! requests from every device with their state: 待同步 (on the phone only), 处理中 (the relay has
//! it, the server has not decided), 已兑换 with the pickup code, 已领取, or 未成功 with the reason.
//! Requests work offline: each is kept on the phone at once and sent with the next sync.

use leptos::prelude::*;
use model::{office_doc::Outcome, stations_doc::Reward};

use crate::{
    i18n::{self, t},
    state::{Ctx, Delivery, RequestRow},
    time,
};

/// The rewards of the county, each with a two-step 兑换 button (the second tap confirms).
#[component]
pub fn RewardList(
    /// The points the rider can still spend here: the balance less the requests not decided.
    available: Signal<i64>,
) -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let offered = move || -> Vec<(String, Reward)> {
        ctx.sync
            .rewards
            .with(|all| all.iter().filter(|(_, r)| r.active).cloned().collect())
    };
    // The reward whose button asks for confirmation, and the last failure to save.
    let confirming = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    let redeem = move |id: String| {
        confirming.set(None);
        failed.set(None);
        let Some(engine) = ctx.services.engine() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Err(e) = engine.redeem(&id).await {
                let _ = failed.try_set(Some(format!("{}{}{e}", s.redeem_failed, s.note_separator)));
            }
        });
    };
    view! {
        <section class="group">
            <p class="group-title">{s.rewards_title}</p>
            <Show
                when=move || !offered().is_empty()
                fallback=move || view! { <p class="empty">{s.rewards_empty}</p> }
            >
                <ul class="cells rewards">
                    <For
                        each=offered
                        key=|(id, r)| (id.clone(), r.price, r.stock)
                        children=move |(id, r)| {
                            let price = r.price;
                            let asking = {
                                let id = id.clone();
                                move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
                            };
                            let can = move || {
                                ctx.sync.can_redeem.get() && r.stock > 0 && available.get() >= price
                            };
                            let on_click = {
                                let id = id.clone();
                                let asking = asking.clone();
                                move |_| {
                                    if asking() {
                                        redeem(id.clone());
                                    } else {
                                        confirming.set(Some(id.clone()));
                                    }
                                }
                            };
                            view! {
                                <li class="cell reward" data-testid="reward">
                                    {(!r.photo.is_empty()).then(|| view! {
                                        <img
                                            class="reward-photo"
                                            src=format!("/api/photos/{}", r.photo)
                                            alt=""
                                            width="48"
                                            height="48"
                                            loading="lazy"
                                            data-testid="reward-photo"
                                        />
                                    })}
                                    <div class="pe-main">
                                        <p class="pe-title" translate="no">{r.name.clone()}</p>
                                        <p class="pe-when">{i18n::redeem_for(price)} " · " {i18n::stock_left(r.stock)}</p>
                                    </div>
                                    <div class="reward-actions">
                                        <Show when=asking.clone()>
                                            <button type="button" class="btn-mini" on:click=move |_| confirming.set(None)>
                                                {s.redeem_cancel}
                                            </button>
                                        </Show>
                                        <button
                                            type="button"
                                            class="btn-mini btn-mini-primary"
                                            data-testid="redeem"
                                            disabled=move || !can()
                                            on:click=on_click
                                        >
                                            {
                                                let asking = asking.clone();
                                                move || if asking() { i18n::redeem_confirm(price) } else { s.redeem.to_owned() }
                                            }
                                        </button>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ul>
                <p class="group-note">
                    {move || if ctx.sync.can_redeem.get() { s.rewards_offline_note } else { s.redeem_needs_sync }}
                </p>
            </Show>
            {move || failed.get().map(|f| view! { <p class="form-error" role="alert">{f}</p> })}
        </section>
    }
}

/// Where one request stands, as `data-state` and words.
fn state_of(row: &RequestRow, outcome: Option<&Outcome>) -> (&'static str, String) {
    let s = t();
    match outcome {
        Some(o) if o.status == "done" && o.picked_up_at > 0 => {
            ("picked_up", s.redemption_picked_up.to_owned())
        }
        Some(o) if o.status == "done" => ("done", s.redemption_done.to_owned()),
        Some(o) if o.status == "refunded" => ("refunded", s.redemption_refunded.to_owned()),
        Some(o) => (
            "failed",
            format!(
                "{}{}{}",
                s.redemption_failed,
                s.note_separator,
                i18n::redemption_reason(&o.reason)
            ),
        ),
        None if row.delivery == Delivery::Received => {
            ("processing", s.redemption_processing.to_owned())
        }
        None => ("local", s.redemption_local.to_owned()),
    }
}

/// The rider's requests, newest first; a redeemed one shows its pickup code.
#[component]
pub fn RedemptionList() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let rows = move || -> Vec<(RequestRow, Option<Outcome>, String)> {
        let outcomes = ctx.sync.outcomes;
        let rewards = ctx.sync.rewards;
        ctx.sync.requests.with(|all| {
            all.iter()
                .rev()
                .map(|row| {
                    let outcome = outcomes.with(|o| {
                        o.iter()
                            .find(|(id, _)| *id == row.id)
                            .map(|(_, o)| o.clone())
                    });
                    let name = outcome
                        .as_ref()
                        .map(|o| o.name.clone())
                        .filter(|n| !n.is_empty())
                        .or_else(|| {
                            rewards.with(|r| {
                                r.iter()
                                    .find(|(id, _)| *id == row.request.reward)
                                    .map(|(_, r)| r.name.clone())
                            })
                        })
                        .unwrap_or_default();
                    (row.clone(), outcome, name)
                })
                .collect()
        })
    };
    view! {
        <Show when=move || !ctx.sync.requests.with(Vec::is_empty)>
            <section class="group">
                <p class="group-title">{s.redemptions_title}</p>
                <ul class="cells redemptions">
                    <For
                        each=rows
                        key=|(row, outcome, _)| (row.id.clone(), row.delivery, outcome.clone().map(|o| (o.status, o.picked_up_at)))
                        children=move |(row, outcome, name)| {
                            let (state, words) = state_of(&row, outcome.as_ref());
                            let code = outcome.as_ref().filter(|o| o.status == "done").map(|o| (o.code.clone(), o.expires_at));
                            view! {
                                <li class="cell redemption" data-testid="redemption" data-state=state data-id=row.id.clone()>
                                    <div class="pe-main">
                                        <p class="pe-title" translate="no">{name}</p>
                                        <p class="pe-reason" data-testid="redemption-state">{words}</p>
                                        {code.map(|(code, until)| view! {
                                            <p class="pickup-code">
                                                {s.pickup_code} " "
                                                <strong data-testid="pickup-code" translate="no">{code}</strong>
                                                " · " {i18n::valid_until(until)}
                                            </p>
                                        })}
                                        <p class="pe-when"><time>{time::short(row.request.at as f64)}</time></p>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}
