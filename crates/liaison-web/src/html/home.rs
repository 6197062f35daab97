//! The signed-in home page: what the directory holds, and where to go.

use axum::extract::State;
use axum::response::Response;
use fluent_bundle::FluentValue;
use maud::html;

use crate::auth::Ctx;
use crate::AppState;
use liaison_domain::{InstitutionKind, PageRequest, Sort};
use liaison_storage::InstitutionFilter;

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let one = PageRequest {
        page: 1,
        per_page: 1,
    };
    let sort = Sort {
        field: "name",
        descending: false,
    };
    let mut counts = Vec::new();
    for kind in InstitutionKind::ALL {
        let filter = InstitutionFilter {
            kind: Some(*kind),
            ..Default::default()
        };
        let total = match state
            .db
            .institutions(&ctx.user().scope, &filter, &sort, &one)
            .await
        {
            Ok(p) => p.total,
            Err(e) => {
                tracing::error!(error = %e, "dashboard count failed");
                0
            }
        };
        counts.push((*kind, total));
    }
    let all: i64 = counts.iter().map(|(_, n)| n).sum();
    let expiring = super::agreements::dashboard_section(
        &state,
        &ctx,
        super::agreements::DEFAULT_REMINDER_DAYS,
    )
    .await;
    let figures = super::reports::home_section(&state, &ctx).await;
    let title = ctx.t("home-title");
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t_args("home-summary", &[("count", FluentValue::from(all))])) }
        (figures)
        @if all == 0 {
            div.empty {
                p { (ctx.t("home-empty")) }
                a.button href="/institutions/new" { (ctx.t("institution-new")) }
            }
        } @else {
            ul.cards {
                @for (kind, n) in &counts {
                    li { a href=(format!("/institutions?kind={}", kind.as_str())) {
                        strong { (n) } span { (ctx.t(&kind.message_key())) }
                    } }
                }
            }
        }
        (expiring)
        p {
            a.button href="/institutions" { (ctx.t("nav-institutions")) }
            " "
            a.button.secondary href="/people" { (ctx.t("nav-people")) }
        }
    };
    super::page(&ctx, &title, body)
}
