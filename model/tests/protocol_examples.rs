//! Every `json api::<Type>` example in docs/protocol.md reads as that type and writes back to
//! the same JSON, and every body type of `model::api` has an example there.

use model::api::{
    CatalogueItem, CountySettings, ErrorBody, LoginForm, Me, NoticeForm, NoticeSent, PhotoStored,
    Pickup, PickupForm, RegisterForm, ReportList, ReviewForm, RewardForm, StationItem, Stats,
    Ticket, TicketForm,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The examples of the page: (type name, JSON text, line).
fn examples(page: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, usize, String)> = None;
    for (n, line) in page.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &mut open {
            None => {
                if let Some(name) = trimmed.strip_prefix("```json api::") {
                    open = Some((name.trim().to_owned(), indent, n + 1, String::new()));
                }
            }
            Some((name, _, start, text)) if trimmed.starts_with("```") => {
                out.push((name.clone(), std::mem::take(text), *start));
                open = None;
            }
            Some((_, indent, _, text)) => {
                text.push_str(line.get(*indent..).unwrap_or(trimmed));
                text.push('\n');
            }
        }
    }
    assert!(open.is_none(), "an example block is not closed");
    out
}

fn round_trip<T: Serialize + DeserializeOwned>(text: &str) -> Result<(), String> {
    let typed: T = serde_json::from_str(text).map_err(|e| format!("does not read: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let written: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if back == written {
        Ok(())
    } else {
        Err(format!(
            "writes back differently:\n{back:#}\nnot\n{written:#}"
        ))
    }
}

#[test]
fn the_protocol_examples_are_the_api_types() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
        .expect("docs/protocol.md");
    let found = examples(&page);
    let mut seen = std::collections::BTreeSet::new();
    for (name, text, line) in &found {
        let checked = match name.as_str() {
            "LoginForm" => round_trip::<LoginForm>(text),
            "PasswordForm" => round_trip::<model::api::PasswordForm>(text),
            "RegisterForm" => round_trip::<RegisterForm>(text),
            "Me" => round_trip::<Me>(text),
            "TicketForm" => round_trip::<TicketForm>(text),
            "Ticket" => round_trip::<Ticket>(text),
            "PhotoStored" => round_trip::<PhotoStored>(text),
            "ReportList" => round_trip::<ReportList>(text),
            "ReviewForm" => round_trip::<ReviewForm>(text),
            "PickupForm" => round_trip::<PickupForm>(text),
            "Pickup" => round_trip::<Pickup>(text),
            "Stats" => round_trip::<Stats>(text),
            "CatalogueItem" => round_trip::<CatalogueItem>(text),
            "CountySettings" => round_trip::<CountySettings>(text),
            "StationItem" => round_trip::<StationItem>(text),
            "StationForm" => round_trip::<model::api::StationForm>(text),
            "AlertForm" => round_trip::<model::api::AlertForm>(text),
            "StationsImported" => round_trip::<model::api::StationsImported>(text),
            "AlertItem" => round_trip::<model::api::AlertItem>(text),
            "CheckinStats" => round_trip::<model::api::CheckinStats>(text),
            "Coverage" => round_trip::<model::api::Coverage>(text),
            "WishList" => round_trip::<model::api::WishList>(text),
            "WishStepForm" => round_trip::<model::api::WishStepForm>(text),
            "NoticeForm" => round_trip::<NoticeForm>(text),
            "NoticeSent" => round_trip::<NoticeSent>(text),
            "RewardForm" => round_trip::<RewardForm>(text),
            "ErrorBody" => round_trip::<ErrorBody>(text),
            other => Err(format!("no such type api::{other}")),
        };
        if let Err(e) = checked {
            panic!("docs/protocol.md line {line}, api::{name}: {e}");
        }
        seen.insert(name.as_str());
    }
    let every = [
        "LoginForm",
        "PasswordForm",
        "RegisterForm",
        "Me",
        "TicketForm",
        "Ticket",
        "PhotoStored",
        "ReportList",
        "ReviewForm",
        "PickupForm",
        "Pickup",
        "Stats",
        "CatalogueItem",
        "CountySettings",
        "StationItem",
        "StationForm",
        "AlertForm",
        "StationsImported",
        "AlertItem",
        "NoticeForm",
        "NoticeSent",
        "RewardForm",
        "ErrorBody",
    ];
    for name in every {
        assert!(
            seen.contains(name),
            "docs/protocol.md has no example of api::{name}"
        );
    }
}

#[test]
fn an_example_that_drifts_fails() {
    let page = "```json api::Ticket\n{\"ticket\": \"t\", \"peer_id\": \"u1.a\"}\n```\n";
    let (_, text, _) = &examples(page)[0];
    assert!(
        round_trip::<Ticket>(text).is_err(),
        "a missing field is caught"
    );
    let extra = "{\"ticket\": \"t\", \"peer_id\": \"u1.a\", \"expires_in\": 60, \"ttl\": 1}";
    assert!(
        round_trip::<Ticket>(extra).is_err(),
        "an unknown field is caught"
    );
}
