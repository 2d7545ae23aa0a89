//! One page per route.

pub mod catalogue;
pub mod console;
pub mod county_admin;
pub mod login;
pub mod mine;
pub mod points;
pub mod register;
pub mod report;
pub mod settings;
pub mod station;
pub mod station_admin;
pub mod viewer;
pub mod wishes;
