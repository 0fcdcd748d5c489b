//! "Connect a store": the operator gives the store's address and is sent to the store's
//! approval page (`one_click`); the store sends the merchant back to
//! `/dashboard/connected`, which says how it went on the dashboard.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{layout, token};
use super::session::Csrf;
use crate::api::error::ApiError;
use crate::api::one_click::start_attempt;
use crate::api::state::ApiState;
use crate::stores::one_click::{NewAttempt, attempt_of};

#[derive(Deserialize)]
pub struct ConnectForm {
    store_url: String,
}

/// The form, above the live sections.
pub fn section(csrf: &Csrf) -> Markup {
    html! {
        section #connect {
            h2 { "Connect a store" }
            form.inline method="post" action="/dashboard/connect" {
                (token(csrf))
                input #connect-store-url type="url" name="store_url" placeholder="https://shop.example" required;
                " "
                button.primary #connect-store type="submit" { "Connect" }
            }
            p.muted { "You approve woosync at the store, logged in as its admin; no keys to copy." }
        }
    }
}

/// Starts an attempt and sends the operator on to the store's approval page: from a page
/// of its own, as the dashboard's forms may only post back here (`form-action 'self'`,
/// which a redirect to the store would break).
pub async fn connect(
    State(state): State<ApiState>,
    Form(form): Form<ConnectForm>,
) -> Result<Response, ApiError> {
    let attempt = NewAttempt {
        store_url: form.store_url,
        return_url: format!("{}/dashboard/connected", state.public_url),
        scope: None,
        name: None,
        rate_limit: None,
        backfill_order_notes: None,
    };
    match start_attempt(&state, attempt).await {
        Ok(started) => Ok(going_to(
            "Approve woosync at your store",
            "Going to your store to approve woosync ...",
            &started.authorize_url,
        )
        .into_response()),
        Err(error) => Ok(super::actions::back(&format!(
            "The store cannot be connected: {}",
            error.message
        ))
        .into_response()),
    }
}

/// A page that says `message` and goes on to `target` at once.
fn going_to(title: &str, message: &str, target: &str) -> Markup {
    layout(
        title,
        html! {
            meta http-equiv="refresh" content={ "0;url=" (target) };
            main {
                p.notice #going { (message) }
                p { a #go href=(target) { "Go on" } }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct Returned {
    success: Option<String>,
    user_id: Option<String>,
}

/// Where the store sends the merchant back. Reached from the store's site, it carries no
/// session cookie (SameSite=Strict): it says what happened and goes on to the dashboard
/// from this site, where the cookie is sent again.
pub async fn connected(
    State(state): State<ApiState>,
    Query(returned): Query<Returned>,
) -> Result<Markup, ApiError> {
    let attempt = match &returned.user_id {
        Some(user_id) => attempt_of(&state.services.db, user_id).await?,
        None => None,
    };
    let notice = match (
        returned.success.as_deref(),
        attempt.and_then(|a| a.store_id),
    ) {
        (Some("1"), Some(store_id)) => format!(
            "Store {store_id} connected: its webhooks are registered and its first sync is under way."
        ),
        (Some("1"), None) => {
            "The store approved, but the connection did not complete: try again.".to_string()
        }
        _ => "The store refused to connect woosync: nothing was connected.".to_string(),
    };
    let target = format!(
        "/dashboard?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("notice", &notice)
            .finish()
    );
    Ok(going_to("Connecting", &notice, &target))
}
