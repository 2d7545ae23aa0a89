//! The one rule for free text (`validate::plain_text`, `validate::has_visible`), and reports
//! whose note or place breaks it.

use model::validate::{self, Problem};

#[test]
fn plain_text_refuses_control_and_direction_characters() {
    for bad in [
        "a\u{0}b",
        "a\u{7}",
        "\u{202e}abc",
        "a\u{2066}b",
        "x\u{200f}",
        "\u{61c}",
    ] {
        assert!(!validate::plain_text(bad, true), "{bad:?}");
    }
    assert!(validate::plain_text("两行\n说明\t缩进", true));
    assert!(!validate::plain_text("两行\n说明", false), "one line only");
    assert!(validate::plain_text("", false), "blank passes the rule");
    assert!(!validate::has_visible(" \u{200b}\u{feff}\u{00ad} "));
    assert!(validate::has_visible("\u{200b}张"));
}

#[test]
fn a_report_whose_note_or_place_breaks_the_rule_is_invalid() {
    let mut r = model::Report {
        id: "5b0e7c1a-3f7d-4e1b-9a64-0c2f1d9e8a71".into(),
        category: "fire_lane".into(),
        note: "东门\n通道被堵".into(),
        lat: 28.84,
        lon: 108.77,
        accuracy_m: Some(10.0),
        location_source: "gps".into(),
        place: "东门".into(),
        created_at: 1_795_675_200_000,
        photos: vec![],
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
    };
    let now = 1_795_675_300_000;
    assert_eq!(validate::check_report(&r.id.clone(), &r, now), vec![]);
    r.note = "通道\u{202e}被堵".into();
    r.place = "东\u{0}门".into();
    assert_eq!(
        validate::check_report(&r.id.clone(), &r, now),
        vec![Problem::BadText("note"), Problem::BadText("place")]
    );
}
