//! Every JSON body of the HTTP API, as the server writes it and the app reads it (docs/protocol.md).
//!
//! Nothing that crosses the wire is defined anywhere else. Enums travel as stable string codes
//! (`rider`, `valid`, `fire_lane`, `too_large`); the words for them are chosen by the reader, in
//! its language. Only an error's `message` is text, for third-party clients that show it as is;
//! it is written in the language of the request's `Accept-Language` ([`Lang`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Category, LocationSource};

/// Implements `code`, `from_code`, `ALL` and serde (as the code string) for a fieldless enum.
macro_rules! code_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code on the wire and in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Reads a code; `None` for a code this version does not know.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        serde_by_code!($name, $name::ALL);
    };
}

/// Serde for a type with `code()` and `from_code()`: it travels as its code. Its OpenAPI
/// schema is a string, one of the codes of `$all`.
macro_rules! serde_by_code {
    ($name:ty, $all:expr) => {
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($all.iter().map(|v| v.code())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = std::borrow::Cow::<str>::deserialize(d)?;
                <$name>::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        "unknown {} code {code:?}",
                        stringify!($name)
                    ))
                })
            }
        }
    };
}

serde_by_code!(Category, Category::ALL);
serde_by_code!(
    LocationSource,
    [LocationSource::Gps, LocationSource::Manual]
);

code_enum! {
    /// What an account may do.
    pub enum Role {
        Rider = "rider",
        Supervisor = "supervisor",
        Admin = "admin",
        /// Station staff: hand rewards over at the counter (pickup codes), in their county;
        /// nothing else.
        Station = "station",
    }
}

impl Role {
    /// Supervisors, admins and station staff work in the console (not the rider app).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin | Role::Station)
    }

    /// Supervisors and admins triage reports and keep the catalogue.
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

code_enum! {
    /// Where a report stands with the supervisors. It starts `new`; the others are decisions.
    pub enum ReviewStatus {
        New = "new",
        /// A valid lead.
        Valid = "valid",
        Invalid = "invalid",
        Duplicate = "duplicate",
        /// Passed on to a department; still open.
        Forwarded = "forwarded",
        Resolved = "resolved",
    }
}

impl ReviewStatus {
    /// The word for the status in `lang` (the app's lists, exports).
    pub fn label(self, lang: Lang) -> &'static str {
        use ReviewStatus::*;
        match (lang, self) {
            (Lang::Zh, New) => "待处理",
            (Lang::Zh, Valid) => "有效",
            (Lang::Zh, Invalid) => "无效",
            (Lang::Zh, Duplicate) => "重复",
            (Lang::Zh, Forwarded) => "已转办",
            (Lang::Zh, Resolved) => "已解决",
            (Lang::En, New) => "Open",
            (Lang::En, Valid) => "Valid",
            (Lang::En, Invalid) => "Invalid",
            (Lang::En, Duplicate) => "Duplicate",
            (Lang::En, Forwarded) => "Forwarded",
            (Lang::En, Resolved) => "Resolved",
        }
    }

    /// The decisions a supervisor can make (every status but `new`).
    pub const DECISIONS: [ReviewStatus; 5] = [
        ReviewStatus::Valid,
        ReviewStatus::Invalid,
        ReviewStatus::Duplicate,
        ReviewStatus::Forwarded,
        ReviewStatus::Resolved,
    ];
}

/// The languages the server writes messages in and the app shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Simplified Chinese, the default.
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Every language, in the order the app offers them.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 tag (`lang` attribute, storage).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language of a tag (`zh`, `zh-Hans-CN`, `en-GB`, …); `None` for any other.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The preferred language of an `Accept-Language` header: the known language with the
    /// highest weight (the first on a tie); Chinese when none is known.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::Zh, |(l, _)| l)
    }
}

/// `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginForm {
    pub login: String,
    pub password: String,
}

/// `POST /api/password`: the logged-in user changes their password. Every other session of
/// the account ends, with its open connections; this one stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub current: String,
    /// 8 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new: String,
}

/// `POST /api/register`: a rider signs up with the invite code printed at their station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterForm {
    /// The rider's mobile number, the login: 11 digits starting with 1, nothing around them.
    #[cfg_attr(feature = "openapi", schema(pattern = "^1[0-9]{10}$"))]
    pub phone: String,
    /// 1 to 20 characters once the spaces around it are dropped, something visible among
    /// them, and no control or direction-changing character.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    /// 8 to 128 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub password: String,
    /// The invite code printed at the rider's station.
    pub invite: String,
}

/// A county's area as a latitude/longitude box (degrees, WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
}

/// A name in each language the app shows; a proper name may be the same in both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Names {
    pub zh: String,
    pub en: String,
}

impl Names {
    /// The name in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// `GET /api/me`, and the answer to login and registration: the user, their documents and the
/// prefix every peer id of theirs carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: MeUser,
    pub docs: MeDocs,
    pub peer_prefix: String,
}

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeUser {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The county's code (`youyang`).
    pub county: String,
    pub county_name: Names,
    /// The county's area, when the server knows it; reports outside it are warned about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_bounds: Option<Bounds>,
}

/// The ids of the user's documents. The rider document is read-write; the office and stations
/// documents are read-only. Staff have no rider or office document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeDocs {
    pub rider: Option<String>,
    pub office: Option<String>,
    pub stations: Option<String>,
}

/// `POST /api/sync-ticket`: the peer id the ticket is to be bound to, or none for one the
/// server picks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_id: Option<String>,
}

/// A single-use ticket for `/sync?ticket=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub ticket: String,
    pub peer_id: String,
    /// Seconds left to use it.
    pub expires_in: i64,
}

/// The answer to `PUT /api/photos/{sha256}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStored {
    pub sha256: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    /// Whether this request stored the bytes (false: they were already there).
    pub created: bool,
}

/// A report as supervisors see it: a row of `GET /api/reports`, the data of a `report` event
/// of the feed, and the answer to a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub id: String,
    pub rider_id: i64,
    pub rider_name: String,
    pub county: String,
    pub category: Category,
    pub note: String,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub location_source: LocationSource,
    pub place: String,
    /// When the rider filed it (ms since the epoch, the phone's clock).
    pub created_at: i64,
    /// When the server first indexed it (ms since the epoch).
    pub received_at: i64,
    /// SHA-256 names of the report's photos (`/api/photos/{name}`).
    pub photos: Vec<String>,
    /// Those of `photos` the server holds: only these can be shown yet. A row is sent on the
    /// feed again whenever one of its photos arrives.
    pub photos_stored: Vec<String>,
    pub status: ReviewStatus,
    /// When the earliest photo was taken, by its EXIF (ms since the epoch).
    pub photo_taken_at: Option<i64>,
    /// Where it was taken, by its EXIF GPS.
    pub photo_lat: Option<f64>,
    pub photo_lon: Option<f64>,
}

impl ReportRow {
    /// How long before the report its photo was taken, in whole hours, when that is long
    /// enough to be suspicious (a hazard is snapped on the spot; an old photo may be reused).
    pub fn suspicious_photo_age_hours(&self) -> Option<i64> {
        const SUSPICIOUS_HOURS: i64 = 6;
        let hours = (self.created_at - self.photo_taken_at?).div_euclid(3_600_000);
        (hours >= SUSPICIOUS_HOURS).then_some(hours)
    }
}

/// `GET /api/reports`: one page of the supervisor's county's reports, the last received first
/// (then by rider and id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub reports: Vec<ReportRow>,
    /// The `cursor` of the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Entries a page of a list holds when `limit` is not given, and the most it may ask for.
pub const PAGE: i64 = 200;
pub const MAX_PAGE: i64 = 500;

/// Where a page of a list of riders' entries (reports, wishes) starts: after the entry of
/// `rider_id` with `id`, dated `at` (a report's `received_at`, a wish's `at`). Lists are in
/// the order (date newest first, rider, id). Clients pass it on as it came (`next`); its form
/// may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub rider_id: i64,
    pub id: String,
}

impl Cursor {
    /// The cursor after a report.
    pub fn after(row: &ReportRow) -> Self {
        Cursor {
            at: row.received_at,
            rider_id: row.rider_id,
            id: row.id.clone(),
        }
    }

    /// The cursor as sent: `<at>.<rider_id>.<id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.rider_id, self.id)
    }

    /// A cursor as received; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '.');
        let at = parts.next()?.parse().ok()?;
        let rider_id = parts.next()?.parse().ok()?;
        let id = parts.next()?;
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '-';
        (!id.is_empty() && id.len() <= 64 && id.chars().all(plain)).then(|| Cursor {
            at,
            rider_id,
            id: id.to_owned(),
        })
    }
}

/// `POST /api/reports/{rider_id}/{id}/review`: a supervisor's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewForm {
    /// One of [`ReviewStatus::DECISIONS`].
    pub status: ReviewStatus,
    /// The supervisor's note to the rider; may be empty (then left out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// For `valid`: the points to award, 0 to [`MAX_AWARD`]; the category's default when
    /// absent. Ignored for the other decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// For `duplicate`: the earlier report this one confirms. A confirmation of a valid report
    /// earns the county's duplicate share of its award ([`CountySettings::duplicate_share`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ReportKey>,
}

/// A report's key in the index: its rider and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportKey {
    pub rider_id: i64,
    pub id: String,
}

/// What a confirmation (a duplicate of a valid report) earns, in percent of the first award,
/// unless the county sets its own share ([`CountySettings::duplicate_share`]).
pub const DUPLICATE_SHARE_PERCENT: i64 = 30;

/// The most reasons or departments a county lists: each is picked by a digit key, 1 to 9.
pub const MAX_CHOICES: usize = 9;
/// The longest reason or department, in characters.
pub const MAX_CHOICE_CHARS: usize = 20;

/// A county's own rules for triage (`GET /api/settings`, `PUT /api/settings`). A county that
/// never set them has [`CountySettings::default`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountySettings {
    /// The reasons offered for an invalid report, in order (1 to 9 of them). They go to the
    /// rider as written.
    pub reasons: Vec<String>,
    /// The departments a report can be forwarded to, in order (1 to 9 of them).
    pub departments: Vec<String>,
    /// The award of a first valid report, per category (0 to [`MAX_AWARD`]); a category not
    /// listed has its [`Category::default_points`].
    pub awards: Vec<CategoryAward>,
    /// What each confirmation (a duplicate of a valid report) earns, in percent (0–100) of the
    /// first report's award.
    pub duplicate_share: u32,
}

/// The award of a first valid report of one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryAward {
    pub category: Category,
    pub points: u32,
}

impl Default for CountySettings {
    fn default() -> Self {
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect();
        CountySettings {
            reasons: words(&[
                "照片不清",
                "重复上报",
                "不在辖区",
                "信息不全",
                "不属于安全隐患",
            ]),
            departments: words(&["城管", "消防", "市场监管", "交通", "住建", "供电"]),
            awards: Category::ALL
                .iter()
                .map(|&category| CategoryAward {
                    category,
                    points: category.default_points(),
                })
                .collect(),
            duplicate_share: DUPLICATE_SHARE_PERCENT as u32,
        }
    }
}

impl CountySettings {
    /// The award of a first valid report of `category`.
    pub fn award(&self, category: Category) -> u32 {
        self.awards
            .iter()
            .find(|a| a.category == category)
            .map_or_else(|| category.default_points(), |a| a.points)
    }

    /// The settings trimmed, or the first rule they break.
    pub fn checked(self) -> Result<CountySettings, ApiError> {
        let list = |words: Vec<String>, code| -> Result<Vec<String>, ApiError> {
            let words: Vec<String> = words.iter().map(|w| w.trim().to_owned()).collect();
            let bad = |w: &String| {
                !crate::validate::has_visible(w)
                    || w.chars().count() > MAX_CHOICE_CHARS
                    || !crate::validate::plain_text(w, false)
            };
            if words.is_empty() || words.len() > MAX_CHOICES || words.iter().any(bad) {
                return Err(ApiError::with_limit(code, MAX_CHOICES as u64));
            }
            Ok(words)
        };
        let reasons = list(self.reasons, ErrorCode::BadReasons)?;
        let departments = list(self.departments, ErrorCode::BadDepartments)?;
        let twice = self
            .awards
            .iter()
            .enumerate()
            .any(|(i, a)| self.awards[..i].iter().any(|b| b.category == a.category));
        if twice || self.awards.iter().any(|a| a.points > MAX_AWARD) {
            return Err(ApiError::with_limit(
                ErrorCode::BadPoints,
                u64::from(MAX_AWARD),
            ));
        }
        if self.duplicate_share > 100 {
            return Err(ApiError::with_limit(ErrorCode::BadShare, 100));
        }
        Ok(CountySettings {
            reasons,
            departments,
            ..self
        })
    }
}

/// How close an earlier report must be to be suggested as the one a report duplicates.
pub const DUPLICATE_RADIUS_M: f64 = 200.0;

/// How much earlier it may have been filed, in milliseconds (48 h).
pub const DUPLICATE_WINDOW_MS: i64 = 48 * 3_600_000;

/// The most points one valid report can be awarded.
pub const MAX_AWARD: u32 = 100;

/// How long a decision may be changed, in milliseconds (24 h).
pub const DECISION_CHANGE_MS: i64 = 24 * 3_600_000;

/// The longest note a supervisor may attach to a decision, in characters.
pub const MAX_REVIEW_NOTE_CHARS: usize = 200;

code_enum! {
    /// Why the server refused a request: the `error` of an [`ErrorBody`].
    pub enum ErrorCode {
        /// No live session (401).
        Unauthorized = "unauthorized",
        /// Wrong login or password, or a disabled account (401).
        BadCredentials = "bad_credentials",
        /// The account may not do this (403).
        Forbidden = "forbidden",
        /// No such thing, or not this account's to see (404).
        NotFound = "not_found",
        /// A body that is not the expected JSON, or a bad parameter (400).
        BadRequest = "bad_request",
        /// Too many failed attempts; `retry_after` seconds to wait (429).
        TooManyAttempts = "too_many_attempts",
        /// Registration: not 11 digits starting with 1 (400).
        BadPhone = "bad_phone",
        /// Registration: a name of 0 or over 20 characters (400).
        BadPersonName = "bad_person_name",
        /// A new password of under 8 or over 128 characters (400).
        BadPassword = "bad_password",
        /// A password change: the current password is wrong (403).
        WrongPassword = "wrong_password",
        /// Registration: no invite code (400).
        MissingInvite = "missing_invite",
        /// Registration: an invite code unknown, used up, expired or revoked (400).
        BadInvite = "bad_invite",
        /// Registration: the phone number has an account already (409).
        PhoneTaken = "phone_taken",
        /// A peer id that is missing or not one of this user's (400).
        BadPeerId = "bad_peer_id",
        /// Review: a status that is not a decision (400).
        BadStatus = "bad_status",
        /// Review: a note over `limit` characters (400).
        NoteTooLong = "note_too_long",
        /// Review: points over `limit` (400).
        BadPoints = "bad_points",
        /// Review: the decision is over 24 hours old and stands (409).
        DecisionFinal = "decision_final",
        /// Review: the change would take back points the rider has spent (409).
        PointsSpent = "points_spent",
        /// Review: `duplicate_of` is missing, the report itself, or not a report of the county (400).
        BadDuplicate = "bad_duplicate",
        /// Pickup: a code that is not 6 digits (400).
        BadCode = "bad_code",
        /// Pickup: no reward of the county waits under this code (404).
        UnknownCode = "unknown_code",
        /// Pickup: the reward of this code was handed over already (409).
        PickedUp = "picked_up",
        /// Pickup: the code is over 30 days old (410).
        CodeExpired = "code_expired",
        /// Notice: empty, or over `limit` characters (400).
        BadNotice = "bad_notice",
        /// Settings: not 1 to `limit` reasons, or one empty or over 20 characters (400).
        BadReasons = "bad_reasons",
        /// Settings: not 1 to `limit` departments, or one empty or over 20 characters (400).
        BadDepartments = "bad_departments",
        /// Settings: a duplicate share over `limit` percent (400).
        BadShare = "bad_share",
        /// Catalogue: a reward's name is empty or over `limit` characters (400).
        BadRewardName = "bad_reward_name",
        /// Catalogue: a price that is not between 1 and `limit` points (400).
        BadPrice = "bad_price",
        /// Catalogue: the stock would go below zero or over `limit` (400).
        BadStock = "bad_stock",
        /// Station: a name empty or over `limit` characters, or an id that is not 1 to 40
        /// lower-case letters, digits and hyphens (400).
        BadStationName = "bad_station_name",
        /// Station: coordinates outside the county (or not numbers) (400).
        BadCoordinates = "bad_coordinates",
        /// Station: weekly hours that do not read; `detail` names the day and the part (400).
        BadHours = "bad_hours",
        /// Station: a facility, kind, host or status not on the fixed lists, or a phone number
        /// that is not one; `detail` names the field and the value (400).
        BadStationField = "bad_station_field",
        /// Alert: a kind, level, text or time span that does not hold; `detail` names the
        /// field (400).
        BadAlert = "bad_alert",
        /// Station import: lines that do not read or do not hold; `detail` lists them by line,
        /// and nothing was imported (400).
        BadCsv = "bad_csv",
        /// Wish: an action not on the list, a reason or organisation name empty (where one is
        /// needed) or over `limit` characters (400).
        BadWish = "bad_wish",
        /// Wish: the step does not follow from where the wish stands (approve a pending one,
        /// claim an approved one, fulfil a claimed one) (409).
        WishStep = "wish_step",
        /// Photo: the name is not 64 lower-case hex digits (400).
        BadName = "bad_name",
        /// Photo: over `limit` bytes (413).
        TooLarge = "too_large",
        /// Photo: the upload broke off (400).
        Interrupted = "interrupted",
        /// Photo: not JPEG, PNG or WebP (415).
        UnsupportedType = "unsupported_type",
        /// Photo: wider or higher than `limit` pixels (422).
        TooManyPixels = "too_many_pixels",
        /// Photo: a header that does not parse (422).
        BadImage = "bad_image",
        /// Photo: cut off (422).
        Truncated = "truncated",
        /// Photo: the bytes do not hash to the name (422).
        HashMismatch = "hash_mismatch",
        /// A free-text field (named in `detail`) holds a control or direction-changing
        /// character, or nothing visible where something is needed (400).
        BadText = "bad_text",
        /// A request body over the size limit (413).
        BodyTooLarge = "body_too_large",
        /// The request was not sent or answered in time (408).
        Timeout = "timeout",
        /// The server has no room for another connection now; try again after `Retry-After`
        /// seconds (503).
        Busy = "busy",
        /// Anything else; the server logs it (500).
        Internal = "internal",
    }
}

impl ErrorCode {
    /// The HTTP status this error is answered with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            Unauthorized | BadCredentials => 401,
            Forbidden | WrongPassword => 403,
            NotFound | UnknownCode => 404,
            PhoneTaken | DecisionFinal | PointsSpent | PickedUp | WishStep => 409,
            CodeExpired => 410,
            TooLarge | BodyTooLarge => 413,
            Timeout => 408,
            Busy => 503,
            UnsupportedType => 415,
            TooManyPixels | BadImage | Truncated | HashMismatch => 422,
            TooManyAttempts => 429,
            Internal => 500,
            BadRequest | BadPhone | BadPersonName | BadPassword | MissingInvite | BadInvite
            | BadPeerId | BadStatus | NoteTooLong | BadPoints | BadDuplicate | BadName
            | Interrupted | BadCode | BadRewardName | BadPrice | BadStock | BadReasons
            | BadDepartments | BadShare | BadNotice | BadStationName | BadCoordinates
            | BadHours | BadStationField | BadAlert | BadCsv | BadWish | BadText => 400,
        }
    }
}

/// A refusal, before it is put in words: the code and the figures its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    /// The limit that was passed (bytes, pixels, characters), where there is one.
    pub limit: Option<u64>,
    /// Seconds to wait before trying again (`too_many_attempts`).
    pub retry_after: Option<u64>,
    /// A detail for developers (a JSON parser's complaint, a hash), never shown to riders.
    pub detail: Option<String>,
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError {
            code,
            limit: None,
            retry_after: None,
            detail: None,
        }
    }
}

impl ApiError {
    /// The refusal with its limit.
    pub fn with_limit(code: ErrorCode, limit: u64) -> Self {
        ApiError {
            limit: Some(limit),
            ..code.into()
        }
    }

    /// The refusal with a detail for developers.
    pub fn with_detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            detail: Some(detail.into()),
            ..code.into()
        }
    }

    /// The refusal in words, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use ErrorCode::*;
        let limit = self.limit.unwrap_or(0);
        let zh = lang == Lang::Zh;
        match self.code {
            Unauthorized if zh => "请先登录".into(),
            Unauthorized => "Please log in first".into(),
            BadCredentials if zh => "手机号或密码错误".into(),
            BadCredentials => "Wrong phone number or password".into(),
            Forbidden if zh => "无权访问".into(),
            Forbidden => "You may not do this".into(),
            NotFound if zh => "未找到".into(),
            NotFound => "Not found".into(),
            BadRequest if zh => "请求格式不正确".into(),
            BadRequest => "The request is malformed".into(),
            TooManyAttempts => {
                let minutes = self.retry_after.unwrap_or(60).div_ceil(60).max(1);
                if zh {
                    format!("尝试次数过多，请 {minutes} 分钟后再试")
                } else {
                    format!("Too many attempts; try again in {minutes} min")
                }
            }
            BadPhone if zh => "手机号应为 11 位数字".into(),
            BadPhone => "A phone number has 11 digits".into(),
            BadPersonName if zh => "姓名应为 1 到 20 个字".into(),
            BadPersonName => "A name has 1 to 20 characters".into(),
            BadPassword if zh => "密码至少 8 位".into(),
            BadPassword => "A password has at least 8 characters".into(),
            WrongPassword if zh => "当前密码不正确".into(),
            WrongPassword => "The current password is wrong".into(),
            MissingInvite if zh => "请输入邀请码".into(),
            MissingInvite => "Enter your invite code".into(),
            BadInvite if zh => "邀请码无效、已用完或已过期".into(),
            BadInvite => "The invite code is wrong, used up or expired".into(),
            PhoneTaken if zh => "该手机号已注册，请直接登录".into(),
            PhoneTaken => "This phone number has an account: please log in".into(),
            BadPeerId if zh => "设备标识不属于此账号".into(),
            BadPeerId => "The peer id is missing or not this account's".into(),
            BadStatus if zh => "审核结果必须是 有效、无效、重复、已转办 或 已解决".into(),
            BadStatus => {
                "The status must be valid, invalid, duplicate, forwarded or resolved".into()
            }
            NoteTooLong if zh => format!("备注不能超过 {limit} 字"),
            NoteTooLong => format!("A note has at most {limit} characters"),
            BadPoints if zh => format!("积分应在 0 到 {limit} 之间"),
            BadPoints => format!("Points lie between 0 and {limit}"),
            BadDuplicate if zh => "请选择本辖区内较早的一条上报作为原报".into(),
            BadDuplicate => "Choose the earlier report of the county that this one repeats".into(),
            DecisionFinal if zh => "审核结果已超过 24 小时，不能再更改".into(),
            DecisionFinal => "The decision is over 24 hours old and stands".into(),
            PointsSpent if zh => "骑手已用掉这些积分，不能收回".into(),
            PointsSpent => "The rider has spent these points; they cannot be taken back".into(),
            BadCode if zh => "取货码是 6 位数字".into(),
            BadCode => "A pickup code has 6 digits".into(),
            UnknownCode if zh => "没有这个取货码".into(),
            UnknownCode => "No reward waits under this code".into(),
            PickedUp if zh => "已领取".into(),
            PickedUp => "Already handed over".into(),
            CodeExpired if zh => "取货码已过期".into(),
            CodeExpired => "The code has expired".into(),
            BadNotice if zh => format!("通知应为 1 到 {limit} 个字"),
            BadNotice => format!("A notice has 1 to {limit} characters"),
            BadReasons if zh => format!("无效原因应为 1 到 {limit} 条，每条 1 到 20 个字"),
            BadReasons => format!("List 1 to {limit} reasons of 1 to 20 characters each"),
            BadDepartments if zh => format!("转办部门应为 1 到 {limit} 个，每个 1 到 20 个字"),
            BadDepartments => format!("List 1 to {limit} departments of 1 to 20 characters each"),
            BadShare if zh => format!("重复上报分成应在 0 到 {limit}% 之间"),
            BadShare => format!("The duplicate share lies between 0 and {limit} %"),
            BadRewardName if zh => format!("奖品名称应为 1 到 {limit} 个字"),
            BadRewardName => format!("A reward's name has 1 to {limit} characters"),
            BadPrice if zh => format!("兑换积分应在 1 到 {limit} 之间"),
            BadPrice => format!("A price lies between 1 and {limit} points"),
            BadStock if zh => format!("库存应在 0 到 {limit} 之间"),
            BadStock => format!("The stock lies between 0 and {limit}"),
            BadStationName if zh => format!("驿站名称应为 1 到 {limit} 个字"),
            BadStationName => format!("A station's name has 1 to {limit} characters"),
            BadCoordinates if zh => "坐标不在本县范围内".into(),
            BadCoordinates => "The coordinates lie outside the county".into(),
            BadHours if zh => "营业时间格式应为 07:00-22:00、24h 或留空（休息）".into(),
            BadHours => "Hours read 07:00-22:00, 24h, or empty (closed)".into(),
            BadStationField if zh => "驿站信息有不在清单上的取值".into(),
            BadStationField => "A station field holds a value not on its list".into(),
            BadCsv if zh => "CSV 文件有错误，一个驿站也没有导入".into(),
            BadCsv => "The CSV file has errors: no station was imported".into(),
            BadAlert if zh => format!(
                "预警应为高温或低温、1 到 3 级，内容 1 到 {limit} 个字，结束晚于开始且不超过 14 天"
            ),
            BadAlert => format!(
                "An alert is heat or cold, level 1 to 3, 1 to {limit} characters, ending after it starts and within 14 days"
            ),
            BadWish if zh => {
                format!("心愿操作应为通过、驳回、认领或实现；理由和认领单位 1 到 {limit} 个字")
            }
            BadWish => format!(
                "A wish is approved, rejected, claimed or fulfilled; a reason or organisation has 1 to {limit} characters"
            ),
            WishStep if zh => "这个心愿现在不能这样处理".into(),
            WishStep => "The wish cannot take this step from where it stands".into(),
            BadName if zh => "照片名必须是 64 位小写十六进制 SHA-256".into(),
            BadName => "A photo's name is its SHA-256 in 64 lower-case hex digits".into(),
            TooLarge if zh => format!("照片不能超过 {} KB", limit / 1024),
            TooLarge => format!("A photo may not exceed {} KB", limit / 1024),
            BadText if zh => "文字中有不允许的字符，或没有可见的文字".into(),
            BadText => "The text has a character that is not allowed, or nothing visible".into(),
            BodyTooLarge if zh => "提交的内容太多".into(),
            BodyTooLarge => "The request is too large".into(),
            Timeout if zh => "请求超时，请重试".into(),
            Timeout => "The request took too long; try again".into(),
            Busy if zh => "服务器繁忙，请稍后再试".into(),
            Busy => "The server is busy; try again shortly".into(),
            Interrupted if zh => "上传中断".into(),
            Interrupted => "The upload broke off".into(),
            UnsupportedType if zh => "只接受 JPEG、PNG 或 WebP 照片".into(),
            UnsupportedType => "Only JPEG, PNG or WebP photos are accepted".into(),
            TooManyPixels if zh => format!("照片长宽不能超过 {limit} 像素"),
            TooManyPixels => format!("A photo may be at most {limit} pixels wide and high"),
            BadImage if zh => "照片无法读取".into(),
            BadImage => "The photo cannot be read".into(),
            Truncated if zh => "照片不完整，请重新上传".into(),
            Truncated => "The photo is incomplete; upload it again".into(),
            HashMismatch if zh => "照片内容与名称不符".into(),
            HashMismatch => "The photo's bytes do not hash to its name".into(),
            Internal if zh => "服务器内部错误".into(),
            Internal => "Internal server error".into(),
        }
    }

    /// The answer body, with the message in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: self.code,
            message: self.message(lang),
            limit: self.limit,
            retry_after: self.retry_after,
            detail: self.detail.clone(),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorCode,
    /// The refusal in words, in the language of `Accept-Language` (Chinese by default).
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorBody {
    /// The refusal without its words.
    pub fn error(&self) -> ApiError {
        ApiError {
            code: self.error,
            limit: self.limit,
            retry_after: self.retry_after,
            detail: self.detail.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station() -> StationForm {
        StationForm {
            name: " 小哥驿站（汽车站） ".into(),
            lat: 28.8367,
            lon: 108.7644,
            week: vec!["07:00-22:00".into(); 7],
            facilities: vec!["water".into(), "air_conditioning".into()],
            kind: "xiaoge".into(),
            phone: "023-7555-0102".into(),
            ..StationForm::default()
        }
    }

    #[test]
    fn a_station_form_is_checked_field_by_field() {
        let youyang = Bounds {
            south: 28.32,
            west: 108.30,
            north: 29.25,
            east: 109.32,
        };
        let ok = station().checked(Some(&youyang)).expect("a good station");
        assert_eq!(ok.name, "小哥驿站（汽车站）");
        assert_eq!(ok.status, "open");
        let code = |f: StationForm| f.checked(Some(&youyang)).map_err(|e| (e.code, e.detail));
        assert_eq!(
            code(StationForm {
                lat: 30.1,
                ..station()
            }),
            Err((
                ErrorCode::BadCoordinates,
                Some("lat 30.1, lon 108.7644".into())
            ))
        );
        assert!(matches!(
            code(StationForm {
                lon: f64::NAN,
                ..station()
            }),
            Err((ErrorCode::BadCoordinates, _))
        ));
        let mut week = station().week;
        week[2] = "7点-9点".into();
        assert_eq!(
            code(StationForm { week, ..station() }),
            Err((ErrorCode::BadHours, Some("week[2]: 7点-9点".into())))
        );
        assert_eq!(
            code(StationForm {
                week: vec!["24h".into(); 6],
                ..station()
            }),
            Err((ErrorCode::BadHours, Some("week[6]: 7 days".into())))
        );
        assert_eq!(
            code(StationForm {
                facilities: vec!["sauna".into()],
                ..station()
            }),
            Err((ErrorCode::BadStationField, Some("facilities: sauna".into())))
        );
        assert_eq!(
            code(StationForm {
                status: "gone".into(),
                ..station()
            }),
            Err((ErrorCode::BadStationField, Some("status: gone".into())))
        );
        assert_eq!(
            code(StationForm {
                phone: "call me".into(),
                ..station()
            }),
            Err((ErrorCode::BadStationField, Some("phone: call me".into())))
        );
        assert!(matches!(
            code(StationForm {
                name: " ".into(),
                ..station()
            }),
            Err((ErrorCode::BadStationName, _))
        ));
        assert!(is_station_id("yy-bus") && !is_station_id("YY") && !is_station_id(""));
        // Repeated facilities are kept once, in order; seven empty days are no weekly hours.
        let twice = vec!["water".into(), "charging".into(), "water".into()];
        let ok = StationForm {
            facilities: twice,
            week: vec![" ".into(); 7],
            ..station()
        }
        .checked(Some(&youyang))
        .unwrap();
        assert_eq!(
            (ok.facilities, ok.week.len()),
            (vec!["water".to_owned(), "charging".to_owned()], 0)
        );
        // No coordinates, and an address too long, are refused.
        assert!(matches!(
            StationForm {
                lat: 0.0,
                lon: 0.0,
                ..station()
            }
            .checked(None)
            .map_err(|e| e.code),
            Err(ErrorCode::BadCoordinates)
        ));
        assert_eq!(
            code(StationForm {
                address: "路".repeat(101),
                ..station()
            }),
            Err((ErrorCode::BadStationField, Some("address".into())))
        );
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(*r));
        }
        for s in ReviewStatus::ALL {
            assert_eq!(ReviewStatus::from_code(s.code()), Some(*s));
        }
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(*c));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn every_error_has_words_in_every_language() {
        for c in ErrorCode::ALL {
            let e = ApiError {
                code: *c,
                limit: Some(2048),
                retry_after: Some(90),
                detail: None,
            };
            let zh = e.message(Lang::Zh);
            let en = e.message(Lang::En);
            assert!(
                zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{c:?}"
            );
            assert!(en.is_ascii() && !en.is_empty(), "{c:?}: {en}");
            assert!((400..600).contains(&c.status()));
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_known_language() {
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, zh;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("de, en-GB;q=0.3"), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0, zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("ja"), Lang::Zh);
    }

    #[test]
    fn an_unknown_code_is_a_readable_error() {
        let e = serde_json::from_str::<ReviewForm>(r#"{"status":"great"}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown ReviewStatus code \"great\""),
            "{e}"
        );
    }

    #[test]
    fn a_photo_taken_long_before_its_report_is_suspicious() {
        let mut row: ReportRow = serde_json::from_str(
            r#"{"id":"x","rider_id":1,"rider_name":"","county":"","category":"other","note":"",
            "lat":0,"lon":0,"accuracy_m":null,"location_source":"gps","place":"",
            "created_at":100000000,"received_at":0,"photos":[],"photos_stored":[],
            "status":"new","photo_taken_at":null,"photo_lat":null,"photo_lon":null}"#,
        )
        .unwrap();
        assert_eq!(row.suspicious_photo_age_hours(), None);
        row.photo_taken_at = Some(row.created_at - 5 * 3_600_000);
        assert_eq!(row.suspicious_photo_age_hours(), None);
        row.photo_taken_at = Some(row.created_at - 30 * 3_600_000 - 1);
        assert_eq!(row.suspicious_photo_age_hours(), Some(30));
    }
}

/// How long a pickup code can be used after the redemption, in milliseconds (30 days).
pub const PICKUP_VALID_MS: i64 = 30 * 24 * 3_600_000;

/// The longest notice to riders, in characters.
pub const MAX_NOTICE_CHARS: usize = 200;

/// `POST /api/notices`: a notice (通知) to every rider of the supervisor's county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeForm {
    pub text: String,
}

/// The answer to a notice: how many riders it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeSent {
    pub riders: u64,
}

/// A station of the county, as the console lists it (`GET /api/stations`): to filter reports
/// by their distance from it, and to edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationItem {
    pub id: String,
    #[serde(flatten)]
    pub station: StationForm,
}

/// A station as a supervisor writes it (`PUT /api/stations/{id}`), and as the console reads it.
/// Codes only: the app words them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StationForm {
    /// 1 to [`MAX_STATION_NAME_CHARS`] characters.
    pub name: String,
    pub address: String,
    /// WGS-84, in degrees, inside the county's area.
    pub lat: f64,
    pub lon: f64,
    /// The hours in the county's words, shown when `week` is empty.
    pub hours: String,
    /// Seven day texts, Monday first (`24h`, `07:00-22:00`, `20:00-06:00`, empty: closed), or
    /// none (docs/schema.md).
    pub week: Vec<String>,
    /// Codes of [`FACILITIES`].
    pub facilities: Vec<String>,
    /// One of [`STATION_KINDS`], or empty.
    pub kind: String,
    /// One of [`STATION_HOSTS`], or empty.
    pub host: String,
    /// Digits, spaces, `-` and `+`; empty when none.
    pub phone: String,
    /// One of [`STATION_STATUSES`]: `open`, `paused` (closed for a while) or `closed` (closed
    /// for good: not shown to riders).
    pub status: String,
}

/// The longest name of a station, in characters.
pub const MAX_STATION_NAME_CHARS: usize = 40;
/// The longest address or hours text of a station, in characters.
pub const MAX_STATION_TEXT_CHARS: usize = 100;
/// The facilities a station can list.
pub const FACILITIES: [&str; 8] = [
    "water",
    "charging",
    "battery_swap",
    "microwave",
    "toilet",
    "first_aid",
    "air_conditioning",
    "heating",
];
/// The kinds of station.
pub const STATION_KINDS: [&str; 4] = ["aixin", "nuanxin", "xiaoge", "xingkong"];
/// Who hosts a station.
pub const STATION_HOSTS: [&str; 6] = [
    "bank",
    "post",
    "supermarket",
    "petrol",
    "community",
    "union",
];
/// Where a station stands.
pub const STATION_STATUSES: [&str; 3] = ["open", "paused", "closed"];

impl StationForm {
    /// The form trimmed and checked, for a county of area `bounds` (when known): the refusal
    /// names the field that does not hold.
    pub fn checked(self, bounds: Option<&Bounds>) -> Result<StationForm, ApiError> {
        let refuse = |code: ErrorCode, detail: String| ApiError {
            detail: Some(detail),
            ..ApiError::from(code)
        };
        let name = self.name.trim().to_owned();
        let chars = name.chars().count();
        if chars > MAX_STATION_NAME_CHARS
            || !crate::validate::has_visible(&name)
            || !crate::validate::plain_text(&name, false)
        {
            return Err(ApiError::with_limit(
                ErrorCode::BadStationName,
                MAX_STATION_NAME_CHARS as u64,
            ));
        }
        // (0, 0) is what a form without coordinates reads as: never a station's place.
        let inside = self.lat.is_finite()
            && !(self.lat == 0.0 && self.lon == 0.0)
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
            && bounds.is_none_or(|b| b.contains(self.lat, self.lon));
        if !inside {
            return Err(refuse(
                ErrorCode::BadCoordinates,
                format!("lat {}, lon {}", self.lat, self.lon),
            ));
        }
        let mut week: Vec<String> = self.week.iter().map(|d| d.trim().to_owned()).collect();
        // Seven empty days say nothing: no weekly hours (a station shut for good is `closed`).
        if week.iter().all(String::is_empty) {
            week.clear();
        }
        if !week.is_empty()
            && let Err((day, part)) = crate::hours::check_week(&week)
        {
            return Err(refuse(ErrorCode::BadHours, format!("week[{day}]: {part}")));
        }
        for (field, text) in [("address", &self.address), ("hours", &self.hours)] {
            if text.chars().count() > MAX_STATION_TEXT_CHARS
                || !crate::validate::plain_text(text, false)
            {
                return Err(refuse(ErrorCode::BadStationField, field.to_owned()));
            }
        }
        let listed = |field: &str, value: &str, list: &[&str]| {
            if value.is_empty() || list.contains(&value) {
                Ok(())
            } else {
                Err(refuse(
                    ErrorCode::BadStationField,
                    format!("{field}: {value}"),
                ))
            }
        };
        for f in &self.facilities {
            if f.is_empty() {
                return Err(refuse(
                    ErrorCode::BadStationField,
                    "facilities: \"\"".into(),
                ));
            }
            listed("facilities", f, &FACILITIES)?;
        }
        listed("kind", &self.kind, &STATION_KINDS)?;
        listed("host", &self.host, &STATION_HOSTS)?;
        let status = if self.status.is_empty() {
            "open".to_owned()
        } else {
            self.status.clone()
        };
        listed("status", &status, &STATION_STATUSES)?;
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 20
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'))
        {
            return Err(refuse(
                ErrorCode::BadStationField,
                format!("phone: {phone}"),
            ));
        }
        let mut facilities: Vec<String> = Vec::new();
        for f in &self.facilities {
            if !facilities.contains(f) {
                facilities.push(f.clone());
            }
        }
        Ok(StationForm {
            name,
            address: self.address.trim().to_owned(),
            hours: self.hours.trim().to_owned(),
            week,
            facilities,
            phone,
            status,
            ..self
        })
    }
}

/// A heat or cold alert as a supervisor sends it (`POST /api/alerts`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AlertForm {
    /// `heat` or `cold`.
    pub kind: String,
    /// 1 (yellow), 2 (orange) or 3 (red).
    pub level: i64,
    /// 1 to [`MAX_ALERT_CHARS`] characters.
    pub text: String,
    /// In force from `from` until `to`, ms since the epoch; at most 14 days.
    pub from: i64,
    pub to: i64,
}

/// The longest alert text, in characters.
pub const MAX_ALERT_CHARS: usize = 200;
/// The longest an alert is in force, in milliseconds.
pub const MAX_ALERT_MS: i64 = 14 * 24 * 3_600_000;

impl AlertForm {
    /// The form trimmed and checked; the refusal names the field.
    pub fn checked(self) -> Result<AlertForm, ApiError> {
        let refuse = |field: &str| ApiError {
            detail: Some(field.to_owned()),
            ..ApiError::with_limit(ErrorCode::BadAlert, MAX_ALERT_CHARS as u64)
        };
        if self.kind != "heat" && self.kind != "cold" {
            return Err(refuse("kind"));
        }
        if !(1..=3).contains(&self.level) {
            return Err(refuse("level"));
        }
        let text = self.text.trim().to_owned();
        let chars = text.chars().count();
        if chars > MAX_ALERT_CHARS
            || !crate::validate::has_visible(&text)
            || !crate::validate::plain_text(&text, true)
        {
            return Err(refuse("text"));
        }
        if self.from <= 0 || self.to <= self.from || self.to - self.from > MAX_ALERT_MS {
            return Err(refuse("to"));
        }
        Ok(AlertForm { text, ..self })
    }
}

/// An alert as the console lists it (`GET /api/alerts`) and as `POST /api/alerts` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertItem {
    pub id: String,
    #[serde(flatten)]
    pub alert: AlertForm,
}

/// What `POST /api/stations.csv` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationsImported {
    /// How many stations were added or replaced.
    pub imported: usize,
}

/// The longest reason for a rejected wish, or name of the organisation that claims one.
pub const MAX_WISH_WORDS_CHARS: usize = 40;

/// Where a wish stands: `pending` (waiting for a supervisor), `approved` (on the wall),
/// `rejected`, `claimed` (an organisation will fulfil it), `fulfilled`.
pub const WISH_STATUSES: [&str; 5] = ["pending", "approved", "rejected", "claimed", "fulfilled"];

/// `GET /api/wishes`: one page of the county's wishes, newest first (by `at`, then rider and
/// id), and the cursor of the next page, absent on the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WishList {
    pub wishes: Vec<WishItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A rider's wish as the console lists it (`GET /api/wishes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WishItem {
    /// The wish's id in the rider document.
    pub id: String,
    pub rider_id: i64,
    /// The rider's full name (the console's to see; the wall shows the surname only).
    pub rider_name: String,
    pub text: String,
    /// A photo's SHA-256, or empty.
    pub photo: String,
    /// One of [`WISH_STATUSES`].
    pub status: String,
    /// Why it was rejected; empty otherwise.
    pub reason: String,
    /// Who claimed it; empty until claimed.
    pub org: String,
    /// When the rider made it (ms since the epoch, the phone's clock).
    pub at: i64,
    /// When it last moved (ms since the epoch, server clock).
    pub updated_at: i64,
}

/// A step for a wish (`POST /api/wishes/{rider_id}/{id}`): `approve`, `reject` (with a
/// `reason`), `claim` (with the `org`) or `fulfil`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WishStepForm {
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub org: String,
}

impl WishStepForm {
    /// The status the step leads to from `from`, or why it cannot be taken.
    pub fn next(&self, from: &str) -> Result<&'static str, ApiError> {
        let words = |w: &str| {
            let n = w.trim().chars().count();
            (1..=MAX_WISH_WORDS_CHARS).contains(&n)
                && crate::validate::has_visible(w)
                && crate::validate::plain_text(w, false)
        };
        let bad = || ApiError::with_limit(ErrorCode::BadWish, MAX_WISH_WORDS_CHARS as u64);
        let (needs, to) = match self.action.as_str() {
            "approve" => ("pending", "approved"),
            "reject" if words(&self.reason) => ("pending", "rejected"),
            "claim" if words(&self.org) => ("approved", "claimed"),
            "fulfil" => ("claimed", "fulfilled"),
            _ => return Err(bad()),
        };
        if from == needs {
            Ok(to)
        } else {
            Err(ErrorCode::WishStep.into())
        }
    }
}

/// How the wish wall names a rider: the surname and 师傅 (`张三` → `张师傅`, `欧阳娜` →
/// `欧阳师傅`, `Wang Lei` → `W师傅`), never the given name, a digit or anything else of the
/// account (`师傅` alone when the name starts otherwise).
pub fn wall_name(name: &str) -> String {
    const DOUBLE: [&str; 12] = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
        "夏侯",
    ];
    let name = name.trim();
    let han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let surname: String = match DOUBLE.iter().find(|d| name.starts_with(**d)) {
        Some(d) => (*d).to_owned(),
        // A Chinese name's first character, or a Latin name's initial; never a digit or
        // anything else (a name may be a phone number).
        None => match name.chars().next() {
            Some(c) if han(c) => c.to_string(),
            Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
            _ => String::new(),
        },
    };
    if surname.is_empty() {
        "师傅".to_owned()
    } else {
        format!("{surname}师傅")
    }
}

/// Check-ins per station (`GET /api/checkins`): the last `days` days, China Standard Time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckinStats {
    /// The days counted, oldest first: each day's start (ms since the epoch).
    pub days: Vec<i64>,
    /// Each station of the county, most check-ins first.
    pub stations: Vec<StationCheckins>,
}

/// One station's check-ins over [`CheckinStats::days`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationCheckins {
    pub id: String,
    pub name: String,
    pub total: i64,
    /// Per day, as [`CheckinStats::days`].
    pub by_day: Vec<i64>,
    /// Per hour of the day (0–23, China Standard Time), over all the days.
    pub by_hour: Vec<i64>,
}

/// Where riders are out of reach of every open station (`GET /api/coverage`): the reports and
/// check-ins of the last `days` days that lie farther than `radius_m` (15 riding minutes at
/// `speed_kmh`) from any open station, grouped by area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub days: u32,
    pub speed_kmh: u32,
    pub radius_m: f64,
    /// How many reports and check-ins were looked at, and how many lie out of reach.
    pub points: u64,
    pub uncovered: u64,
    /// The areas out of reach, most points first.
    pub areas: Vec<CoverageArea>,
}

/// A cell of about 2 km holding points out of reach of every open station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageArea {
    /// The nearest district's name ("" when the county has none), for people to place it.
    pub district: String,
    /// The middle of its points (WGS-84).
    pub lat: f64,
    pub lon: f64,
    pub reports: u64,
    pub checkins: u64,
    /// From its middle to the nearest open station, in metres (0 when the county has none).
    pub nearest_m: f64,
    /// That station's name ("" when none).
    pub nearest: String,
}

/// Whether `id` can name a station: 1 to 40 lower-case letters, digits and hyphens.
pub fn is_station_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The longest name of a reward, in characters.
pub const MAX_REWARD_NAME_CHARS: usize = 20;
/// The highest price of a reward, in points.
pub const MAX_PRICE: i64 = 10_000;
/// The most of one reward a county can hold in stock.
pub const MAX_STOCK: i64 = 100_000;

/// A reward of the county's catalogue as the console keeps it (`GET /api/rewards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueItem {
    pub id: i64,
    pub name: String,
    /// In points.
    pub price: i64,
    pub stock: i64,
    /// Offered to riders.
    pub active: bool,
    /// Its picture: the SHA-256 name of a photo (`PUT /api/photos/{sha256}`), or empty.
    #[serde(default)]
    pub photo: String,
}

/// `POST /api/rewards` (a new reward) and `PUT /api/rewards/{id}` (a change to one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardForm {
    pub name: String,
    pub price: i64,
    pub active: bool,
    /// Added to the stock (negative: taken out); for a new reward, its stock. A change, not
    /// a figure, so that redemptions made meanwhile are not undone.
    pub stock_change: i64,
    /// Its picture: the SHA-256 name of a photo the supervisor uploaded, or empty for none.
    #[serde(default)]
    pub photo: String,
}

/// `POST /api/pickups`: a pickup code read out by a rider at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PickupForm {
    pub code: String,
}

/// The answer to a pickup: the reward to hand over and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pickup {
    /// The reward's name.
    pub reward: String,
    pub price: i64,
    /// The rider's name and phone.
    pub rider_name: String,
    pub rider_login: String,
    /// When it was handed over (ms since the epoch).
    pub picked_up_at: i64,
}

/// `GET /api/stats`: the county's figures per week (Monday to Sunday, China Standard Time)
/// and category, newest week first, and the riders with the most points this month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub weeks: Vec<WeekStats>,
    pub riders: Vec<RiderPoints>,
}

/// One category in one week: reports filed then, and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekStats {
    /// The week's Monday, 00:00 China Standard Time (ms since the epoch).
    pub week: i64,
    pub category: crate::Category,
    pub received: u32,
    /// Of those, how many are decided, and how many valid.
    pub decided: u32,
    pub valid: u32,
    /// The median time from filing to decision (ms), when any is decided.
    pub median_decision_ms: Option<i64>,
    /// The points these reports brought (awards, shares and corrections).
    pub points: i64,
}

/// A rider's points earned this month (redemptions not counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiderPoints {
    pub rider_id: i64,
    pub name: String,
    pub points: i64,
}

#[cfg(test)]
mod wish_tests {
    use super::*;

    #[test]
    fn the_wall_names_the_surname_only() {
        assert_eq!(wall_name("张三"), "张师傅");
        assert_eq!(wall_name("李师傅"), "李师傅");
        assert_eq!(wall_name(" 欧阳娜娜 "), "欧阳师傅");
        assert_eq!(wall_name("wang Lei"), "W师傅");
        assert_eq!(wall_name(""), "师傅");
        // A name that is a phone number, or starts oddly, shows nothing of itself.
        assert_eq!(wall_name("13800000001"), "师傅");
        assert_eq!(wall_name("A张三"), "A师傅");
        assert_eq!(wall_name("\u{202e}张三"), "师傅");
    }

    #[test]
    fn a_wish_moves_only_forward() {
        let step = |action: &str, reason: &str, org: &str| WishStepForm {
            action: action.into(),
            reason: reason.into(),
            org: org.into(),
        };
        assert_eq!(step("approve", "", "").next("pending"), Ok("approved"));
        assert_eq!(
            step("reject", "与骑手无关", "").next("pending"),
            Ok("rejected")
        );
        assert_eq!(
            step("claim", "", "县邮政局").next("approved"),
            Ok("claimed")
        );
        assert_eq!(step("fulfil", "", "").next("claimed"), Ok("fulfilled"));
        // No fulfilment before a claim, no claim before approval, nothing after the end.
        fn code(r: Result<&'static str, ApiError>) -> Result<&'static str, ErrorCode> {
            r.map_err(|e| e.code)
        }
        assert_eq!(
            code(step("fulfil", "", "").next("approved")),
            Err(ErrorCode::WishStep)
        );
        assert_eq!(
            code(step("claim", "", "县邮政局").next("pending")),
            Err(ErrorCode::WishStep)
        );
        assert_eq!(
            code(step("approve", "", "").next("rejected")),
            Err(ErrorCode::WishStep)
        );
        // A rejection needs its reason, a claim its organisation.
        assert_eq!(
            code(step("reject", " ", "").next("pending")),
            Err(ErrorCode::BadWish)
        );
        assert_eq!(
            code(step("claim", "", "").next("approved")),
            Err(ErrorCode::BadWish)
        );
        assert_eq!(
            code(step("delete", "", "").next("pending")),
            Err(ErrorCode::BadWish)
        );
    }
}
