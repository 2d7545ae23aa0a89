//! Reusable pieces of the interface, one public component per file.

pub mod alert_banner;
pub mod confirm_dialog;
pub mod location_field;
pub mod nav_bar;
pub mod outbox_list;
pub mod photo_picker;
pub mod relogin;
pub mod report_form;
pub mod rewards;
pub mod sync_badge;
pub mod tab_bar;
