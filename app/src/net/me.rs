//! The logged-in user as `/api/me` describes them.

use crate::{error::AppError, json};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Rider,
    Supervisor,
    Admin,
}

impl Role {
    /// Reads the server's role code; unknown codes get the least rights.
    pub fn from_code(code: &str) -> Self {
        match code {
            "supervisor" => Role::Supervisor,
            "admin" => Role::Admin,
            _ => Role::Rider,
        }
    }

    /// The server's role code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Rider => "rider",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Supervisors and admins work in the console.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// A county's area as a latitude/longitude box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    /// Whether the point lies in the box.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.south..=self.north).contains(&lat) && (self.west..=self.east).contains(&lon)
    }

    fn from_js(v: &wasm_bindgen::JsValue) -> Option<Self> {
        Some(Bounds {
            south: json::opt_number(v, "south")?,
            west: json::opt_number(v, "west")?,
            north: json::opt_number(v, "north")?,
            east: json::opt_number(v, "east")?,
        })
    }
}

/// The logged-in user, their rider document and the prefix of their peer ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Me {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub county: String,
    pub county_name: String,
    /// The county's area, when the server knows it.
    pub county_bounds: Option<Bounds>,
    /// The rider document's id; `None` for staff.
    pub rider_doc: Option<String>,
    /// The rider's office document (supervisors' decisions; read-only); `None` for staff.
    pub office_doc: Option<String>,
    /// The county's stations document (read-only).
    pub stations_doc: Option<String>,
    /// Every peer id of this user starts so (`u1.`).
    pub peer_prefix: String,
    /// The JSON text it was read from, which is what the device stores.
    pub raw: String,
}

impl Me {
    /// Reads an /api/me answer.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let v = json::parse(text)?;
        let user = json::field(&v, "user");
        let docs = json::field(&v, "docs");
        Ok(Me {
            id: json::number(&user, "id")? as i64,
            login: json::string(&user, "login")?,
            name: json::string_or_empty(&user, "name"),
            role: Role::from_code(&json::string(&user, "role")?),
            county: json::string_or_empty(&user, "county"),
            county_name: json::string_or_empty(&user, "county_name"),
            county_bounds: Bounds::from_js(&json::field(&user, "county_bounds")),
            rider_doc: json::opt_string(&docs, "rider").filter(|d| !d.is_empty()),
            office_doc: json::opt_string(&docs, "office").filter(|d| !d.is_empty()),
            stations_doc: json::opt_string(&docs, "stations").filter(|d| !d.is_empty()),
            peer_prefix: json::string(&v, "peer_prefix")?,
            raw: text.to_owned(),
        })
    }
}
