//! `GET /v1/openapi.json`: the OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations by the same `routes!` calls that register them, so the two cannot drift.

use std::sync::Arc;

use axum::Extension;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use crate::app::AppState;

/// The document's fixed parts; the paths are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(title = "Switchyard API", description = "Tenant directory of Switchyard: accounts, companies, shared agents, memberships, departments, numbers and tokens."),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Main accounts (operator, managers)"),
        (name = "companies", description = "Companies and their settings"),
        (name = "members", description = "Memberships of a company"),
        (name = "departments", description = "Departments and their members"),
        (name = "numbers", description = "E.164 number mapping"),
        (name = "agents", description = "Agents as people: profile, token, sharing"),
        (name = "me", description = "The caller's own view: organisation switcher, status, invitations"),
        (name = "tokens", description = "Issuing and revoking tokens"),
        (name = "kamailio", description = "The telephony call flow shaped for a SIP server's script (integrations/kamailio)"),
        (name = "cluster", description = "The nodes of a cluster on one PostgreSQL database (operator)"),
        (name = "meta", description = "This document"),
    )
)]
pub(super) struct ApiDoc;

/// Declares bearer authentication for every operation (the document itself needs none).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// This OpenAPI document (no token needed).
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json(Extension(doc): Extension<Arc<OpenApiDoc>>) -> axum::Json<OpenApiDoc> {
    axum::Json((*doc).clone())
}
