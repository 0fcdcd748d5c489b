//! Signing in to the dashboard: the API token, once, in a form; then an HttpOnly,
//! SameSite=Strict cookie scoped to `/dashboard` (Secure behind https), so that its forms
//! need no token and no other site can post them. The cookie holds an expiry and a MAC
//! over it, keyed with the token, never the token itself.

use axum::Form;
use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use maud::{Markup, html};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::page::layout;
use crate::api::state::ApiState;

const COOKIE_NAME: &str = "woosync_session";

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

pub async fn require_session(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    if has_session(request.headers(), &state.api_token) {
        next.run(request).await
    } else if request.uri().path() == "/dashboard/live" {
        // The page's script sends the person to sign in again.
        StatusCode::UNAUTHORIZED.into_response()
    } else {
        Redirect::to("/dashboard/sign-in").into_response()
    }
}

/// How long a sign-in lasts.
const SESSION_SECONDS: i64 = 12 * 60 * 60;

/// A session: when it ends, and a MAC over that under the API token, so the cookie is
/// not the token itself, cannot be extended, and dies with a new token.
fn session_value(token: &str, expires: i64) -> String {
    format!(
        "{expires}.{}",
        hex::encode(session_mac(token, expires).finalize().into_bytes())
    )
}

fn session_mac(token: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("woosync dashboard session until {expires}").as_bytes());
    mac
}

fn has_session(headers: &HeaderMap, token: &str) -> bool {
    let now = chrono::Utc::now().timestamp();
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE_NAME}=")))
        .any(|given| {
            let Some((expires, mac)) = given.split_once('.') else {
                return false;
            };
            let (Ok(expires), Ok(mac)) = (expires.parse::<i64>(), hex::decode(mac)) else {
                return false;
            };
            expires > now && session_mac(token, expires).verify_slice(&mac).is_ok()
        })
}

pub async fn sign_in_form() -> Markup {
    form(None)
}

pub async fn sign_in(State(state): State<ApiState>, Form(form_data): Form<SignIn>) -> Response {
    let token = form_data.token.trim();
    if !bool::from(token.as_bytes().ct_eq(state.api_token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            form(Some("That is not the API token.")),
        )
            .into_response();
    }
    let expires = chrono::Utc::now().timestamp() + SESSION_SECONDS;
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE_NAME}={}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}",
        session_value(&state.api_token, expires)
    );
    ([(SET_COOKIE, cookie)], Redirect::to("/dashboard")).into_response()
}

pub async fn sign_out() -> Response {
    let cookie = format!("{COOKIE_NAME}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(SET_COOKIE, cookie)], Redirect::to("/dashboard/sign-in")).into_response()
}

fn form(problem: Option<&str>) -> Markup {
    layout(
        "Sign in",
        html! {
            main.narrow {
                h1 { "woosync" }
                p { "Sign in with the API token (" code { "WOOSYNC_API_TOKEN" } "; " code { "woosync dev" } " and " code { "woosync demo" } " print theirs)." }
                @if let Some(problem) = problem {
                    p.problem { (problem) }
                }
                form method="post" action="/dashboard/sign-in" {
                    input #token type="password" name="token" placeholder="API token" autofocus required;
                    button #sign-in type="submit" { "Sign in" }
                }
            }
        },
    )
}
