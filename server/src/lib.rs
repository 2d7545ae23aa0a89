//! The Nuanxin server: the automerge-repo relay at `/sync`, the JSON API, the built app, and the
//! command line. [`app`] builds the router from an [`AppState`] so tests need no socket.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod client_ip;
pub mod cluster;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod indexer;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod photos;
pub mod points;
pub mod relay;
pub mod revoke;
pub mod rewards;
pub mod routes;
pub mod seed;
pub mod state;
pub mod throttle;
pub mod wall;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, StatusCode, header},
    routing::{get, post, put},
};
use tower_http::{
    compression::CompressionLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
};

pub use config::Config;
pub use state::AppState;

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    // Hashed asset names change on every build, so only the shell's entry points must be
    // revalidated; the service worker checks for a new deploy through them.
    let shell = routes::assets::Shell::new(&state.config.dist_dir);
    let limits = &state.config.limits;
    // A photo takes longer to send than a JSON body; the photo route streams its body and
    // checks its own size cap.
    let photos = Router::new()
        .route(
            "/photos/{sha256}",
            get(routes::photos::get).put(routes::photos::put),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request * 4,
        ));
    let api = Router::new()
        .route("/login", post(routes::auth::login))
        .route("/logout", post(routes::auth::logout))
        .route("/password", post(routes::auth::change_password))
        .route("/register", post(routes::register::register))
        .route("/me", get(routes::me::me))
        .route("/openapi.json", get(openapi::serve))
        .route("/sync-ticket", post(routes::me::sync_ticket))
        .route("/reports", get(routes::reports::list))
        .route("/reports/feed", get(routes::reports::feed))
        .route("/reports.csv", get(routes::reports::export))
        .route("/stats", get(routes::reports::stats))
        .route(
            "/reports/{rider_id}/{id}/review",
            post(routes::reports::review),
        )
        .route(
            "/reports/{rider_id}/{id}/duplicates",
            get(routes::reports::duplicates),
        )
        .route("/pickups", post(routes::rewards::pickup))
        .route(
            "/rewards",
            get(routes::rewards::list).post(routes::rewards::add),
        )
        .route("/rewards/{id}", put(routes::rewards::update))
        .route("/stations", get(routes::stations::list))
        .route("/stations/{id}", put(routes::stations::put))
        .route("/stations/{id}/poster.svg", get(routes::coverage::poster))
        .route("/checkins", get(routes::coverage::checkins))
        .route("/coverage", get(routes::coverage::coverage))
        .route("/wishes", get(routes::wishes::list))
        .route("/wishes/{rider_id}/{id}", post(routes::wishes::step))
        .route(
            "/stations.csv",
            get(routes::stations::export)
                .post(routes::stations::import)
                .layer(DefaultBodyLimit::max(limits.max_json_bytes * 8)),
        )
        .route(
            "/alerts",
            get(routes::stations::alerts).post(routes::stations::alert),
        )
        .route("/notices", post(routes::notices::send))
        .route(
            "/settings",
            get(routes::settings::get).put(routes::settings::put),
        )
        .layer(DefaultBodyLimit::max(limits.max_json_bytes))
        // Bounds the time to read a body and answer; the live feed's stream, which follows
        // its answer, is not bounded.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request,
        ))
        .merge(photos)
        .fallback(|| async { error::AppError::NotFound })
        // Inside the compression, so that it sees the error body before it is compressed.
        .layer(axum::middleware::from_fn(error::localize))
        // JSON answers are compressed; photos (already compressed) and the live feed's event
        // stream are left as they are by the default predicate.
        .layer(CompressionLayer::new())
        // Photos set their own (content-addressed, long-lived) cache headers.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    Router::new()
        .nest("/api", api)
        .route(
            "/sync",
            get(routes::sync::upgrade).layer(axum::middleware::from_fn(error::localize)),
        )
        // Operations (docs/deploy.md), outside the JSON API.
        .route("/healthz", get(metrics::health))
        .route("/readyz", get(metrics::ready))
        .route("/metrics", get(metrics::metrics))
        .fallback(move |req: axum::extract::Request| shell.clone().serve(req))
        .with_state(state)
}

/// Opens the database, starts the relay, seeds demo accounts if asked, and starts indexing.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = db::Db::connect(&config.database_url).await?;
    let acl = relay::Acl::default();
    let store_stats = relay::StoreStats::default();
    let (relay, changed) =
        relay::Relay::start(db.clone(), acl.clone(), store_stats.clone()).await?;
    accounts::load_acl(&db, &relay, &acl).await?;
    // Documents with changes the indexer has not read are read at start; the others when they
    // change.
    db.docs_unindexed_prune().await?;
    let unindexed = db.docs_unindexed().await?;
    let (feed, _) = tokio::sync::broadcast::channel(16 * 1024);
    let throttle = Arc::new(throttle::LoginThrottle::new(
        config.login_window,
        config.login_max_per_pair,
        config.login_max_per_ip,
        config.login_slow_after,
    ));
    // Invite codes: 10 wrong ones per address and window; no slow-down shared by all.
    let invites = Arc::new(throttle::LoginThrottle::new(
        config.login_window,
        config.login_max_per_pair,
        config.login_max_per_ip,
        u32::MAX,
    ));
    let revocations = revoke::Revocations::start(db.clone(), config.account_check_every).await?;
    let photos = photos::PhotoStore::open(&config)?;
    let state = AppState {
        photos,
        throttle,
        invites,
        conns: listen::Caps::from_limits(&config.limits),
        revocations,
        config: Arc::new(config),
        db,
        relay,
        acl,
        feed,
        store_stats,
    };
    indexer::spawn(state.clone(), changed, unindexed);
    cluster::spawn(state.clone());
    // The ledger is the truth: bring any office document left behind by a stop up to date.
    let reconciling = state.clone();
    tokio::spawn(async move {
        match points::reconcile(&reconciling).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(riders = n, "points rewritten from the ledger"),
            Err(e) => tracing::error!(error = ?e, "cannot check the points against the ledger"),
        }
        match wall::reconcile(&reconciling).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(wishes = n, "wish walls rewritten from SQL"),
            Err(e) => tracing::error!(error = ?e, "cannot check the wish walls against SQL"),
        }
    });
    rewards::spawn_refunds(state.clone());
    Ok(state)
}
