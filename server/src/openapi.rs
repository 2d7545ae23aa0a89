//! The JSON API's OpenAPI 3.1 document, built from the wire types (`model::api`) and the
//! routes' own descriptions. Served at `/api/openapi.json` and kept as `docs/openapi.json`.
//!
//! Each route lists what it answers and the refusals of its own; [`CommonAnswers`] adds those
//! that any route of a kind can give, so that the document names every status the server sends.

use std::sync::OnceLock;

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder,
        path::{Operation, ParameterIn},
        schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type},
        security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme},
    },
};

use crate::routes;

/// The name of the session's security scheme.
const SESSION: &str = "session";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Nuanxin (暖新) API",
        description = "The JSON API of a Nuanxin server: sessions, the supervisors' triage of \
            hazard reports, rewards, stations and wishes, and photos. Riders' reports travel as \
            Automerge documents over `/sync` (a WebSocket, docs/protocol.md), not through this \
            API. Every error answer is an `ErrorBody`; its `message` is in the language of \
            `Accept-Language` (Chinese by default).",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/api")),
    paths(
        routes::auth::login,
        routes::auth::logout,
        routes::auth::change_password,
        routes::register::register,
        routes::me::me,
        routes::me::sync_ticket,
        routes::reports::list,
        routes::reports::feed,
        routes::reports::export,
        routes::reports::stats,
        routes::reports::review,
        routes::reports::duplicates,
        routes::rewards::pickup,
        routes::rewards::list,
        routes::rewards::add,
        routes::rewards::update,
        routes::stations::list,
        routes::stations::put,
        routes::coverage::poster,
        routes::coverage::checkins,
        routes::coverage::coverage,
        routes::wishes::list,
        routes::wishes::step,
        routes::stations::export,
        routes::stations::import,
        routes::stations::alerts,
        routes::stations::alert,
        routes::notices::send,
        routes::settings::get,
        routes::settings::put,
        routes::photos::get,
        routes::photos::put,
    ),
    components(schemas(model::api::ErrorBody, model::api::ErrorCode)),
    modifiers(&CommonAnswers),
    tags(
        (name = "session", description = "Logging in and out, registration, the user"),
        (name = "sync", description = "Tickets for the sync WebSocket"),
        (name = "reports", description = "The supervisors' triage of hazard reports"),
        (name = "rewards", description = "The county's catalogue and the counter"),
        (name = "stations", description = "Rider stations, their alerts, check-ins and coverage"),
        (name = "wishes", description = "Riders' micro-wishes (微心愿)"),
        (name = "notices", description = "Notices to the county's riders"),
        (name = "settings", description = "The county's rules for triage"),
        (name = "photos", description = "Report photos and reward pictures, by SHA-256"),
    )
)]
struct ApiDoc;

/// Adds the session's security scheme (the default of every route that does not say
/// otherwise), the answers any route of a kind can give, and tidies each route's words.
///
/// The shared answers are kept once under `components/responses`:
/// - every route: `408 timeout`, `500 internal`, `503 busy` (with `Retry-After`);
/// - a route that needs a session: `401 unauthorized`;
/// - a route with parameters or a body: `400 bad_request`;
/// - a route with a body: `413 body_too_large`.
struct CommonAnswers;

/// The shared answers: (status, name under `components/responses`, description).
const COMMON: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "`bad_request`: a parameter or a body that does not read",
    ),
    ("401", "Unauthorized", "`unauthorized`: no live session"),
    (
        "408",
        "Timeout",
        "`timeout`: the request was not sent or answered in time",
    ),
    (
        "413",
        "BodyTooLarge",
        "`body_too_large`: a body over the size limit (`limit` bytes)",
    ),
    (
        "500",
        "Internal",
        "`internal`: something went wrong; the server logged it",
    ),
    (
        "503",
        "Busy",
        "`busy`: no room for another connection now; try again after `Retry-After` seconds",
    ),
];

impl Modify for CommonAnswers {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::COOKIE,
                "The session cookie that `POST /login` and `POST /register` set",
            ))),
        );
        for (status, name, text) in COMMON {
            let mut answer = ResponseBuilder::new().description(text).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            );
            if status == "503" {
                answer = answer.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(1)),
                        )
                        .description(Some("Seconds to wait"))
                        .build(),
                );
            }
            components
                .responses
                .insert(name.to_owned(), RefOr::T(answer.build()));
        }
        doc.security = Some(vec![SecurityRequirement::new(
            SESSION,
            Vec::<String>::new(),
        )]);
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                add_common(op);
                tidy_words(op);
            }
        }
    }
}

fn add_common(op: &mut Operation) {
    // No `security` of its own: the document's, a session.
    let secured = op.security.is_none();
    let has_params = op.parameters.as_ref().is_some_and(|p| {
        p.iter()
            .any(|p| matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query))
    });
    let has_body = op.request_body.is_some();
    for (status, name, _) in COMMON {
        let applies = match status {
            "400" => has_params || has_body,
            "401" => secured,
            "413" => has_body,
            _ => true,
        };
        if applies && !op.responses.responses.contains_key(status) {
            op.responses.responses.insert(
                status.to_owned(),
                RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))),
            );
        }
    }
}

/// A route's doc comment, as the document's words: on one line, without the
/// `` `METHOD /api/path`: `` it starts with in the code, and without rustdoc's link brackets;
/// its first sentence is the summary.
fn tidy_words(op: &mut Operation) {
    let Some(text) = op.summary.take().or_else(|| op.description.take()) else {
        return;
    };
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.starts_with('`')
        && let Some((head, rest)) = text.split_once("`: ")
        && head.contains(" /api/")
    {
        text = rest.to_owned();
    }
    let text = text.replace("[`", "`").replace("`]", "`");
    let mut chars = text.chars();
    let text: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return,
    };
    let summary = match text.find(". ") {
        Some(end) => text[..end].to_owned(),
        None => text.trim_end_matches('.').to_owned(),
    };
    op.summary = Some(summary);
    op.description = Some(text);
}

/// Raw bytes in the document (a photo): a binary string.
#[derive(Debug)]
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// The document.
pub fn document() -> openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON, ending in a newline: the text of `docs/openapi.json`.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut text = document()
            .to_pretty_json()
            .expect("the OpenAPI document serializes");
        text.push('\n');
        text
    })
}

/// `GET /api/openapi.json`: the document, for anyone (it holds no data).
pub async fn serve() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json(),
    )
        .into_response()
}
