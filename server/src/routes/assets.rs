//! The built app: Trunk's hashed assets, kept by browsers for a year, and the entry points
//! (`index.html`, `sw.js`, the manifest, icons), revalidated on every use so a deploy is seen
//! at once. Assets are served precompressed (`.br`, `.gz` made at build time next to each
//! file) when the browser accepts it.

use std::path::Path;

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Cache header of a hashed asset: its name changes whenever its bytes do.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache header of everything else the shell serves.
pub const REVALIDATE: &str = "no-cache";

/// Whether a request path names one of Trunk's hashed assets (`app-<16 hex digits>…`).
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let Some((_, tail)) = name.rsplit_once('-') else {
        return false;
    };
    let hex = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
    hex == 16 && tail.len() > hex
}

/// The built app's files.
#[derive(Clone, Debug)]
pub struct Shell {
    /// Hashed assets: a missing one is a 404, never the page.
    assets: ServeDir,
    /// Everything else: a path that is no file gets `index.html` (the app routes itself).
    pages: ServeDir<ServeFile>,
}

impl Shell {
    /// Serves the build in `dist`.
    pub fn new(dist: &Path) -> Self {
        let assets = ServeDir::new(dist).precompressed_br().precompressed_gzip();
        let pages = assets
            .clone()
            .fallback(ServeFile::new(dist.join("index.html")));
        Shell { assets, pages }
    }

    /// Answers one request, with the cache header its path calls for.
    pub async fn serve(self, req: Request) -> Response {
        let hashed = is_hashed_asset(req.uri().path());
        let mut res = if hashed {
            self.assets.oneshot(req).await.into_response()
        } else {
            self.pages.oneshot(req).await.into_response()
        };
        let value = if hashed && res.status().is_success() {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        res
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn hashed_names_are_told_from_entry_points() {
        assert!(is_hashed_asset("/app-9f3c2a1b0e6d4c7f_bg.wasm"));
        assert!(is_hashed_asset("/app-9f3c2a1b0e6d4c7f.js"));
        assert!(is_hashed_asset("/app-9F3C2A1B0E6D4C7F.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/icon-192.png"));
        assert!(!is_hashed_asset("/app-9f3c2a1b0e6d4c7f"));
        assert!(!is_hashed_asset("/app-9f3c2a1b.js"));
    }
}
