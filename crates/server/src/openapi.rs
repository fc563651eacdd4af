//! The OpenAPI 3.1 document, generated from the handlers' annotations. A committed copy
//! (`openapi.json` at the repository root) is checked against it by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::*;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The problem answers every API operation may give, documented here once rather than on
/// each: `4XX` when the request is refused (the problem's `code` says why), and `503` when the
/// service cannot answer now: the database cannot be reached (the store's breaker answers at
/// once), or, for sign-ins and new passwords, the password-hash pool is full. Each says when
/// to come back with `Retry-After` where it knows.
struct ProblemAnswers;

impl Modify for ProblemAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .build()
        };
        let refused =
            problem("refused: RFC 9457 problem details whose `code` says why (`errors` names each bad field)");
        let unavailable = problem(
            "the service cannot answer now (database unreachable, or too many sign-ins at once); try again shortly",
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            for op in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                op.responses.responses.entry("4XX".to_string()).or_insert_with(|| refused.clone().into());
                op.responses.responses.entry("503".to_string()).or_insert_with(|| unavailable.clone().into());
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Entity Account", version = "1", description = "Public Services One Account — Entity User Account: applications, activation, logins, e-services. Errors are RFC 9457 problem details with a stable `code`."),
    modifiers(&BearerAuth, &ProblemAnswers),
    components(schemas(crate::error::Problem)),
    paths(
        health::get_healthz,
        health::get_readyz,
        crate::api::metrics::get_metrics,
        operators::post_counter_login,
        applications::post_application,
        applications::get_applications,
        applications::get_application,
        applications::post_review,
        applications::post_approve,
        applications::post_reject,
        applications::get_application_status,
        logins::get_counter_entity,
        logins::post_administrator,
        logins::post_counter_activation_code,
        logins::post_activation_code,
        logins::post_restore_admin,
        eservices::post_eservice,
        eservices::get_counter_eservices,
        eservices::put_entity_registration,
        eservices::post_client_secret,
        eservices::put_client,
        department::put_registration,
        department::delete_registration,
        department::post_notification,
        department::get_permitted_logins,
        activation::post_activate,
        help::post_resend,
        help::post_forgot_username,
        help::post_password_reset_request,
        help::post_password_reset_confirm,
        sessions::post_login,
        sessions::post_logout,
        sessions::get_me,
        notifications::get_notifications,
        notifications::get_notice_preferences,
        notifications::put_notice_preferences,
        eservices::get_eservices,
        logins::get_logins,
        logins::post_login_staff,
        logins::delete_login,
        staff_import::post_logins_import,
        logins::post_remove_admin,
        assignments::put_login_eservices,
        assignments::get_login_eservices,
        assignments::post_approve_assignment,
        reviews::get_access_review,
        reviews::post_review_decisions,
        reviews::get_review_export,
        access_requests::post_access_request,
        access_requests::get_access_requests,
        access_requests::post_grant_request,
        access_requests::post_refuse_request,
        mandates::post_mandate,
        mandates::get_mandates,
        mandates::get_mandate,
        mandates::post_accept_mandate,
        mandates::post_decline_mandate,
        mandates::delete_mandate,
        mandates::put_login_mandate,
        mandates::get_login_mandate,
        machine_credentials::post_machine_credential,
        machine_credentials::get_machine_credentials,
        machine_credentials::get_machine_credential,
        machine_credentials::put_machine_credential_eservices,
        machine_credentials::delete_machine_credential,
        audit::get_entity_audit,
        eid::get_my_eid,
        eid::put_my_face,
        eid::post_enrolment,
        eid::post_security_code,
        eid::post_face_recognition,
        eid::get_counter_eid,
    )
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut s = serde_json::to_string_pretty(&document()).expect("the document serialises");
    s.push('\n');
    s
}
