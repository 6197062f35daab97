//! The route table: the only place routes are registered, each with the access it needs.
//! A route cannot be added without declaring its access, and the matrix tests walk this table.

use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;

use crate::auth::{guard, Guard};
use crate::{api, html, AppState};
use liaison_domain::Action;

/// What a caller needs to reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (health, login, static files, the API description).
    Public,
    /// A signed-in user whose role allows the action.
    Signed(Action),
}

/// Whether a route answers people (HTML, redirects to sign-in) or programs (JSON, 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Html,
    Api,
}

pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub face: Face,
    handler: MethodRouter<AppState>,
}

fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    let face = if path.starts_with("/api/") {
        Face::Api
    } else {
        Face::Html
    };
    RouteSpec {
        method,
        path,
        access,
        face,
        handler,
    }
}

pub fn table() -> Vec<RouteSpec> {
    use Access::{Public, Signed};
    use Action::{EditContacts as EditScoped, EditPartners as Edit, ReadDirectory as Read, UseApp};
    vec![
        route("GET", "/healthz", Public, get(html::healthz)),
        route("GET", "/static/{file}", Public, get(html::static_file)),
        route("GET", "/login", Public, get(html::login::form)),
        route("POST", "/login", Public, post(html::login::submit)),
        route("POST", "/logout", Signed(UseApp), post(html::login::logout)),
        route(
            "POST",
            "/logout/everywhere",
            Signed(UseApp),
            post(html::login::logout_everywhere),
        ),
        route("GET", "/", Signed(UseApp), get(html::home::page)),
        // Partner directory pages.
        route(
            "GET",
            "/institutions",
            Signed(Read),
            get(html::institutions::list),
        ),
        route(
            "GET",
            "/institutions/new",
            Signed(Edit),
            get(html::institutions::new_form),
        ),
        route(
            "POST",
            "/institutions",
            Signed(Edit),
            post(html::institutions::create),
        ),
        route(
            "GET",
            "/institutions/{id}",
            Signed(Read),
            get(html::institutions::show),
        ),
        route(
            "GET",
            "/institutions/{id}/edit",
            Signed(Edit),
            get(html::institutions::edit_form),
        ),
        route(
            "POST",
            "/institutions/{id}/edit",
            Signed(Edit),
            post(html::institutions::update),
        ),
        route(
            "GET",
            "/institutions/{id}/delete",
            Signed(Edit),
            get(html::institutions::confirm_delete),
        ),
        route(
            "POST",
            "/institutions/{id}/delete",
            Signed(Edit),
            post(html::institutions::delete),
        ),
        route(
            "GET",
            "/institutions/{id}/units/new",
            Signed(EditScoped),
            get(html::org_units::new_form),
        ),
        route(
            "POST",
            "/institutions/{id}/units",
            Signed(EditScoped),
            post(html::org_units::create),
        ),
        route(
            "GET",
            "/org-units/{id}",
            Signed(Read),
            get(html::org_units::show),
        ),
        route(
            "GET",
            "/org-units/{id}/edit",
            Signed(EditScoped),
            get(html::org_units::edit_form),
        ),
        route(
            "POST",
            "/org-units/{id}/edit",
            Signed(EditScoped),
            post(html::org_units::update),
        ),
        route(
            "GET",
            "/org-units/{id}/delete",
            Signed(EditScoped),
            get(html::org_units::confirm_delete),
        ),
        route(
            "POST",
            "/org-units/{id}/delete",
            Signed(EditScoped),
            post(html::org_units::delete),
        ),
        route("GET", "/people", Signed(Read), get(html::people::list)),
        route(
            "GET",
            "/people/new",
            Signed(EditScoped),
            get(html::people::new_form),
        ),
        route(
            "POST",
            "/people",
            Signed(EditScoped),
            post(html::people::create),
        ),
        route("GET", "/people/{id}", Signed(Read), get(html::people::show)),
        route(
            "GET",
            "/people/{id}/edit",
            Signed(EditScoped),
            get(html::people::edit_form),
        ),
        route(
            "POST",
            "/people/{id}/edit",
            Signed(EditScoped),
            post(html::people::update),
        ),
        route(
            "GET",
            "/people/{id}/delete",
            Signed(EditScoped),
            get(html::people::confirm_delete),
        ),
        route(
            "POST",
            "/people/{id}/delete",
            Signed(EditScoped),
            post(html::people::delete),
        ),
        // Personal data (admin) and the audit log (office staff).
        route(
            "GET",
            "/people/{id}/export",
            Signed(Action::ManagePersonalData),
            get(html::personal_data::export),
        ),
        route(
            "GET",
            "/people/{id}/anonymise",
            Signed(Action::ManagePersonalData),
            get(html::personal_data::confirm),
        ),
        route(
            "POST",
            "/people/{id}/anonymise",
            Signed(Action::ManagePersonalData),
            post(html::personal_data::anonymise),
        ),
        route(
            "GET",
            "/audit",
            Signed(Action::ReadAudit),
            get(html::audit::list),
        ),
        route(
            "GET",
            "/audit.csv",
            Signed(Action::ReadAudit),
            get(html::audit::csv),
        ),
        // Accounts (admin), the e-mail outbox (admin), the own profile (everyone), and the
        // one-time links of invitations and password resets (public: the token is the key).
        route(
            "GET",
            "/users",
            Signed(Action::ManageUsers),
            get(html::users::list),
        ),
        route(
            "GET",
            "/users/invite",
            Signed(Action::ManageUsers),
            get(html::users::invite_form),
        ),
        route(
            "POST",
            "/users/invite",
            Signed(Action::ManageUsers),
            post(html::users::invite),
        ),
        route(
            "GET",
            "/users/{id}",
            Signed(Action::ManageUsers),
            get(html::users::show),
        ),
        route(
            "POST",
            "/users/{id}/edit",
            Signed(Action::ManageUsers),
            post(html::users::update),
        ),
        route(
            "POST",
            "/users/{id}/reset-password",
            Signed(Action::ManageUsers),
            post(html::users::reset_password),
        ),
        route(
            "GET",
            "/outbox",
            Signed(Action::ManageUsers),
            get(html::outbox::list),
        ),
        route(
            "GET",
            "/outbox/{id}",
            Signed(Action::ManageUsers),
            get(html::outbox::show),
        ),
        route("GET", "/profile", Signed(UseApp), get(html::profile::page)),
        route(
            "POST",
            "/profile/password",
            Signed(UseApp),
            post(html::profile::change_password),
        ),
        route(
            "POST",
            "/profile/language",
            Signed(UseApp),
            post(html::profile::set_language),
        ),
        route(
            "POST",
            "/profile/tokens/{id}/revoke",
            Signed(UseApp),
            post(html::profile::revoke_token),
        ),
        route(
            "POST",
            "/profile/calendar",
            Signed(UseApp),
            post(html::profile::rotate_calendar),
        ),
        route(
            "GET",
            "/invitations/{token}",
            Public,
            get(html::invitations::invitation_form),
        ),
        route(
            "POST",
            "/invitations/{token}",
            Public,
            post(html::invitations::accept),
        ),
        route(
            "GET",
            "/password-reset/{token}",
            Public,
            get(html::invitations::reset_form),
        ),
        route(
            "POST",
            "/password-reset/{token}",
            Public,
            post(html::invitations::reset),
        ),
        // JSON API (C3, C6).
        route(
            "GET",
            "/api/v1/openapi.json",
            Public,
            get(crate::openapi::document),
        ),
        route("POST", "/api/v1/auth/token", Public, post(api::auth::token)),
        route(
            "GET",
            "/api/v1/institutions",
            Signed(Read),
            get(api::institutions::list),
        ),
        route(
            "POST",
            "/api/v1/institutions",
            Signed(Edit),
            post(api::institutions::create),
        ),
        route(
            "GET",
            "/api/v1/institutions/{id}",
            Signed(Read),
            get(api::institutions::show),
        ),
        route(
            "PATCH",
            "/api/v1/institutions/{id}",
            Signed(Edit),
            patch(api::institutions::update),
        ),
        route(
            "DELETE",
            "/api/v1/institutions/{id}",
            Signed(Edit),
            delete(api::institutions::remove),
        ),
        route(
            "GET",
            "/api/v1/org-units",
            Signed(Read),
            get(api::org_units::list),
        ),
        route(
            "POST",
            "/api/v1/org-units",
            Signed(EditScoped),
            post(api::org_units::create),
        ),
        route(
            "GET",
            "/api/v1/org-units/{id}",
            Signed(Read),
            get(api::org_units::show),
        ),
        route(
            "PATCH",
            "/api/v1/org-units/{id}",
            Signed(EditScoped),
            patch(api::org_units::update),
        ),
        route(
            "DELETE",
            "/api/v1/org-units/{id}",
            Signed(EditScoped),
            delete(api::org_units::remove),
        ),
        route(
            "GET",
            "/api/v1/people",
            Signed(Read),
            get(api::people::list),
        ),
        route(
            "POST",
            "/api/v1/people",
            Signed(EditScoped),
            post(api::people::create),
        ),
        route(
            "GET",
            "/api/v1/people/{id}",
            Signed(Read),
            get(api::people::show),
        ),
        route(
            "PATCH",
            "/api/v1/people/{id}",
            Signed(EditScoped),
            patch(api::people::update),
        ),
        route(
            "DELETE",
            "/api/v1/people/{id}",
            Signed(EditScoped),
            delete(api::people::remove),
        ),
        route(
            "GET",
            "/api/v1/people/{id}/export",
            Signed(Action::ManagePersonalData),
            get(api::personal_data::export),
        ),
        route(
            "POST",
            "/api/v1/people/{id}/anonymise",
            Signed(Action::ManagePersonalData),
            post(api::personal_data::anonymise),
        ),
        route(
            "GET",
            "/api/v1/audit",
            Signed(Action::ReadAudit),
            get(api::audit::list),
        ),
        route(
            "GET",
            "/api/v1/users",
            Signed(Action::ManageUsers),
            get(api::users::list),
        ),
        route(
            "POST",
            "/api/v1/users",
            Signed(Action::ManageUsers),
            post(api::users::create),
        ),
        route(
            "GET",
            "/api/v1/users/{id}",
            Signed(Action::ManageUsers),
            get(api::users::show),
        ),
        route(
            "PATCH",
            "/api/v1/users/{id}",
            Signed(Action::ManageUsers),
            patch(api::users::update),
        ),
    ]
}

/// Builds the router from the table, wrapping each route in its guard.
pub fn router(state: &AppState) -> Router<AppState> {
    let _ = state;
    table().into_iter().fold(Router::new(), |router, spec| {
        let guard_state = Guard {
            access: spec.access,
            face: spec.face,
        };
        let handler = spec
            .handler
            .route_layer(axum::middleware::from_fn_with_state(guard_state, guard));
        router.route(spec.path, handler)
    })
}
