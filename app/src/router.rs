//! A small history-API router over the app's nine routes.
//!
//! The route set is closed and flat (no nesting; one route, a station's page `/s/<id>`, has
//! its id in the path, read by [`station_id`]), so a signal of [`Route`] plus
//! `pushState`/`popstate` does the whole job for a fraction of a general router's size.
//!
//! The rider app and the supervisors' console are two builds (two wasm files): a route of the
//! other build is reached by loading its page, not by `pushState`.

use leptos::prelude::*;

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Login,
    /// A new rider signs up with an invite code.
    Register,
    /// 随手拍: the report form and the rider's outbox (the rider's home).
    Report,
    Station,
    /// One station's page, `/s/<station id>`.
    StationDetail,
    Points,
    Mine,
    /// 微心愿墙: the rider's wishes and the county's wall.
    Wishes,
    /// The supervisors' triage console.
    Console,
}

impl Route {
    /// The route of a path; unknown paths lead to the rider's home.
    pub fn from_path(path: &str) -> Self {
        if path.starts_with("/s/") {
            return Route::StationDetail;
        }
        match path.trim_end_matches('/') {
            "/login" => Route::Login,
            "/register" => Route::Register,
            "/station" => Route::Station,
            "/points" => Route::Points,
            "/me" => Route::Mine,
            "/wishes" => Route::Wishes,
            "/console" => Route::Console,
            _ => Route::Report,
        }
    }

    /// The path of this route.
    pub fn path(self) -> &'static str {
        match self {
            Route::Login => "/login",
            Route::Register => "/register",
            Route::Report => "/",
            Route::Station => "/station",
            Route::StationDetail => "/s/",
            Route::Points => "/points",
            Route::Mine => "/me",
            Route::Wishes => "/wishes",
            Route::Console => "/console/",
        }
    }

    /// Whether this page is for people who are not logged in.
    pub fn is_public(self) -> bool {
        matches!(self, Route::Login | Route::Register)
    }

    /// Whether this page is in the console build rather than the rider app's.
    pub fn in_console(self) -> bool {
        self == Route::Console
    }

    /// Whether this is one of the rider's tab pages.
    pub fn is_rider_tab(self) -> bool {
        matches!(
            self,
            Route::Report
                | Route::Station
                | Route::StationDetail
                | Route::Points
                | Route::Mine
                | Route::Wishes
        )
    }
}

/// The current route, and the way to change it.
#[derive(Debug, Clone, Copy)]
pub struct Router {
    current: RwSignal<Route>,
    /// This build is the console (else the rider app).
    console: bool,
}

impl Router {
    /// A router on the page's current path, following back/forward navigation; `console` says
    /// which build it runs in.
    pub fn new(console: bool) -> Self {
        let current = RwSignal::new(Route::from_path(&current_path()));
        // A station's poster opens the app at its page: that first visit is a check-in.
        ARRIVED_AT.with(|a| *a.borrow_mut() = station_id());
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            current.set(Route::from_path(&current_path()));
        });
        // The listener lives as long as the app; the handle is only needed to remove it.
        std::mem::forget(handle);
        Self { current, console }
    }

    /// The route shown now (tracked).
    pub fn route(&self) -> Route {
        self.current.get()
    }

    /// The route shown now, without tracking.
    pub fn route_untracked(&self) -> Route {
        self.current.get_untracked()
    }

    /// Goes to `route`, adding a history entry.
    pub fn go(&self, route: Route) {
        self.change(route, false);
    }

    /// Goes to `route` in place of the current history entry (redirects).
    pub fn replace(&self, route: Route) {
        self.change(route, true);
    }

    /// Opens the page of station `id`, adding a history entry.
    pub fn open_station(&self, id: &str) {
        let path = format!("/s/{}", js_sys::encode_uri_component(id));
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
        self.current.set(Route::StationDetail);
    }

    fn change(&self, route: Route, replace: bool) {
        if route.in_console() != self.console {
            let location = window().location();
            let _ = if replace {
                location.replace(route.path())
            } else {
                location.assign(route.path())
            };
            return;
        }
        if self.current.get_untracked() == route && current_path() == route.path() {
            return;
        }
        if let Ok(history) = window().history() {
            let _ = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(route.path()))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(route.path()))
            };
        }
        self.current.set(route);
    }
}

/// The station id of the current path `/s/<id>`.
pub fn station_id() -> Option<String> {
    let path = current_path();
    let id = path.strip_prefix("/s/")?.trim_end_matches('/');
    let id = js_sys::decode_uri_component(id).ok()?.as_string()?;
    (!id.is_empty()).then_some(id)
}

thread_local! {
    /// The station whose page the app was opened at (a scanned poster), until it is taken.
    static ARRIVED_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Whether the app was opened at station `id`'s page (its poster's QR code) and this has not
/// been taken yet: true once.
pub fn take_arrival(id: &str) -> bool {
    ARRIVED_AT.with(|a| {
        let mut a = a.borrow_mut();
        if a.as_deref() == Some(id) {
            *a = None;
            true
        } else {
            false
        }
    })
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_route_reads_back_from_its_path() {
        let all = [
            Route::Login,
            Route::Register,
            Route::Report,
            Route::Station,
            Route::StationDetail,
            Route::Points,
            Route::Mine,
            Route::Wishes,
            Route::Console,
        ];
        for route in all {
            assert_eq!(Route::from_path(route.path()), route);
        }
        assert_eq!(Route::from_path("/register/"), Route::Register);
        assert_eq!(Route::from_path("/s/yy-bus"), Route::StationDetail);
        assert!(Route::Register.is_public() && !Route::Register.is_rider_tab());
    }
}
