//! 积分: the rider's points, offline too: the balance and its history as the office document
//! last brought them, the points still waiting for a decision, and the rider's messages (the
//! outcome of each decision). Opening the page reads the messages; those new since the last
//! visit stay marked until the page is left.

use leptos::prelude::*;
use model::{
    Category,
    office_doc::{Notice, PointsEntry},
};

use crate::{
    components::rewards::{RedemptionList, RewardList},
    i18n::{self, t},
    state::Ctx,
    time,
};

/// The points tab.
#[component]
pub fn PointsPage() -> impl IntoView {
    let ctx = Ctx::get();
    let s = t();
    let balance = move || {
        ctx.sync
            .points
            .with(|p| p.as_ref().map_or(0, |p| p.balance))
    };
    // Reports filed and not decided yet, at their county's award for the category (else the
    // default): shown apart, not spendable, since a supervisor may decide otherwise.
    let pending = move || -> i64 {
        let reviews = ctx.sync.reviews;
        let awards = ctx.sync.awards;
        ctx.sync.rows.with(|rows| {
            rows.iter()
                .filter(|r| reviews.with(|m| !m.contains_key(&r.report.id)))
                .filter_map(|r| Category::from_code(&r.report.category))
                .map(|c| {
                    awards.with(|a| {
                        a.iter()
                            .find(|(code, _)| code == c.code())
                            .map_or_else(|| i64::from(c.default_points()), |(_, p)| *p)
                    })
                })
                .sum()
        })
    };
    let entries = move || -> Vec<(String, PointsEntry)> {
        ctx.sync.points.with(|p| {
            p.as_ref()
                .map(|p| p.entries.iter().rev().cloned().collect())
                .unwrap_or_default()
        })
    };
    // What an entry is about: the report's category and note, when this phone has the report.
    let about = move |report_id: &str| -> String {
        ctx.sync.rows.with(|rows| {
            rows.iter()
                .find(|r| r.report.id == report_id)
                .map(|r| {
                    let label = Category::from_code(&r.report.category).map_or_else(
                        || r.report.category.clone(),
                        |c| i18n::category_label(c).to_owned(),
                    );
                    if r.report.note.is_empty() {
                        label.to_owned()
                    } else {
                        format!("{label} · {}", r.report.note)
                    }
                })
                .unwrap_or_default()
        })
    };
    // What can still be spent here: the balance less the prices of requests not decided yet.
    let available = Signal::derive(move || {
        let outcomes = ctx.sync.outcomes;
        let rewards = ctx.sync.rewards;
        let waiting: i64 = ctx.sync.requests.with(|all| {
            all.iter()
                .filter(|r| outcomes.with(|o| !o.iter().any(|(id, _)| *id == r.id)))
                .filter_map(|r| {
                    rewards.with(|w| {
                        w.iter()
                            .find(|(id, _)| *id == r.request.reward)
                            .map(|(_, w)| w.price)
                    })
                })
                .sum()
        });
        balance() - waiting
    });
    // The reward's name of a redemption notice.
    let redeemed_name = move |request: &str| -> String {
        ctx.sync.outcomes.with(|o| {
            o.iter()
                .find(|(id, _)| id == request)
                .map(|(_, o)| o.name.clone())
                .unwrap_or_default()
        })
    };
    // The messages, newest first; those above what was read before this visit are marked new.
    let seen_before = ctx.sync.notices_seen.get_untracked();
    let notices = move || -> Vec<(String, Notice)> {
        ctx.sync
            .notices
            .with(|all| all.iter().rev().cloned().collect())
    };
    Effect::new(move |_| {
        ctx.sync.notices.track();
        if let Some(user_id) = ctx.session.me.with(|m| m.as_ref().map(|m| m.user.id)) {
            ctx.sync.read_all_notices(user_id);
        }
    });
    view! {
        <section class="group points-card" data-testid="points">
            <p class="points-label">{s.points_balance}</p>
            <p class="points-balance" data-testid="points-balance">{move || i18n::number(balance().max(0) as u64)}</p>
            <p class="points-pending" data-testid="points-pending">{move || i18n::points_pending(pending())}</p>
        </section>
        <RedemptionList/>
        <RewardList available/>
        <section class="group">
            <p class="group-title">{s.notices_title}</p>
            <Show
                when=move || !ctx.sync.notices.with(Vec::is_empty)
                fallback=move || view! { <p class="empty">{s.notices_empty}</p> }
            >
                <ul class="cells notices">
                    <For
                        each=notices
                        key=|(id, _)| id.clone()
                        children=move |(id, n)| {
                            let new = id.parse::<u64>().is_ok_and(|id| id > seen_before);
                            // Followed: the reports and wishes may reach the page after the notices.
                            let (kind, report, wish) = (n.kind.clone(), n.report.clone(), n.wish.clone());
                            let what = move || {
                                if kind == "wish" {
                                    ctx.sync.wishes.with(|all| {
                                        all.iter().find(|w| w.id == wish).map(|w| w.wish.text.clone()).unwrap_or_default()
                                    })
                                } else {
                                    about(&report)
                                }
                            };
                            view! {
                                <li class="cell notice" class:notice-new=new data-testid="notice" data-new=new.then_some("1")>
                                    <div class="pe-main">
                                        <p class="pe-title">
                                            {new.then(|| view! { <span class="notice-dot" aria-label=s.notice_unread></span> })}
                                            {if n.kind == "redemption" {
                                                i18n::redemption_headline(&n, &redeemed_name(&n.redemption))
                                            } else {
                                                i18n::notice_headline(&n)
                                            }}
                                        </p>
                                        {move || {
                                            let what = what();
                                            (!what.is_empty()).then(|| view! { <p class="pe-about" translate="no">{what}</p> })
                                        }}
                                        {(!n.note.is_empty()).then(|| view! { <p class="pe-reason" translate="no">{n.note.clone()}</p> })}
                                        <p class="pe-when"><time>{time::short(n.at as f64)}</time></p>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
        <section class="group">
            <p class="group-title">{s.points_history}</p>
            <Show
                when=move || !entries().is_empty()
                fallback=move || view! { <p class="empty">{s.points_empty}</p> }
            >
                <ul class="cells points-history">
                    <For
                        each=entries
                        key=|(id, _)| id.clone()
                        children=move |(_, e)| {
                            // Followed: the reports may reach the page after the points.
                            let report = e.report.clone();
                            let what = move || about(&report);
                            let title = match e.kind.as_str() {
                                "award" => s.points_award,
                                "redemption" => s.rewards_title,
                                "refund" => s.points_refund,
                                _ => s.points_adjustment,
                            };
                            let sign = if e.amount >= 0 { "+" } else { "−" };
                            view! {
                                <li class="cell points-entry" data-testid="points-entry">
                                    <div class="pe-main">
                                        <p class="pe-title">{title}</p>
                                        {move || {
                                            let what = what();
                                            (!what.is_empty()).then(|| view! { <p class="pe-about" translate="no">{what}</p> })
                                        }}
                                        {(!e.reason.is_empty()).then(|| view! { <p class="pe-reason" translate="no">{e.reason.clone()}</p> })}
                                        <p class="pe-when"><time>{time::short(e.at as f64)}</time></p>
                                    </div>
                                    <span class="pe-amount" class:pe-minus=e.amount < 0>
                                        {format!("{sign}{}", i18n::number(e.amount.unsigned_abs()))}
                                    </span>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
