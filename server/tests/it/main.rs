//! The server's one integration-test binary. Every test starts a real server on a real SQLite
//! file through [`util::TestApp`], and speaks to it over real sockets.

mod accounts;
mod assets;
mod auth;
mod authz;
mod bench_console;
mod cluster;
mod console_data;
mod crash;
mod errors;
mod ledger_props;
mod limits;
mod migrations;
mod openapi;
mod ops;
mod paging;
mod photos;
mod points;
mod revocation;
mod rewards;
mod settings;
mod stations;
mod sync;
mod util;
mod wishes;
