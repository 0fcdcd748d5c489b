//! Signing in to the dashboard: the API token, once, in a form; then an HttpOnly,
//! SameSite=Strict cookie scoped to `/dashboard` (Secure behind https). The cookie holds an
//! expiry and a MAC over it, keyed with the token, never the token itself.
//!
//! SameSite does not separate the ports or sibling subdomains of one site, so every form
//! that changes something also carries a token of its session (a MAC of the session
//! under the API token, which a page elsewhere cannot read), and is refused when the
//! browser says it comes from another origin. Sign-in tries are throttled.

use axum::Form;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use maud::{Markup, html};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::page::layout;
use crate::api::auth::too_many_tries;
use crate::api::state::ApiState;

const COOKIE_NAME: &str = "woosync_session";

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

/// The token a signed-in page's forms carry: what proves a post comes from the page.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

/// The form field that carries it.
pub const CSRF_FIELD: &str = "csrf";

/// The most a dashboard form's body may hold.
const MAX_FORM_BYTES: usize = 16 * 1024;

pub async fn require_session(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(session) = session_of(request.headers(), &state.api_token) else {
        return if request.uri().path() == "/dashboard/live" {
            // The page's script sends the person to sign in again.
            StatusCode::UNAUTHORIZED.into_response()
        } else {
            Redirect::to("/dashboard/sign-in").into_response()
        };
    };
    let csrf = Csrf(csrf_token(&state.api_token, &session));
    let mut request = request;
    if request.method() == Method::POST {
        if !same_origin(request.headers()) {
            return forbidden("the form was posted from another site");
        }
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
            return forbidden("the form is too large");
        };
        let carried = url::form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default();
        if !bool::from(carried.as_bytes().ct_eq(csrf.0.as_bytes())) {
            return forbidden("the form does not carry this session's token: reload the page");
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(csrf);
    next.run(request).await
}

fn forbidden(message: &'static str) -> Response {
    (StatusCode::FORBIDDEN, message).into_response()
}

/// Whether the browser says the request comes from this service's own pages: its
/// `Sec-Fetch-Site`, else its `Origin` against the `Host` it was sent to. A client that
/// sends neither (not a browser) has no cookie a page elsewhere could lend it.
fn same_origin(headers: &HeaderMap) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => url::Url::parse(origin).is_ok_and(|origin| {
            let port = origin
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            origin
                .host_str()
                .is_some_and(|name| format!("{name}{port}").eq_ignore_ascii_case(host))
        }),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// A session's form token: a MAC of the session under the API token.
fn csrf_token(token: &str, session: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(b"woosync dashboard form token for session ");
    mac.update(session.as_bytes());
    hex::encode(mac.finalize().into_bytes())
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

/// The valid session the request's cookies carry, if one does.
fn session_of(headers: &HeaderMap, token: &str) -> Option<String> {
    let now = chrono::Utc::now().timestamp();
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE_NAME}=")))
        .find(|given| {
            let Some((expires, mac)) = given.split_once('.') else {
                return false;
            };
            let (Ok(expires), Ok(mac)) = (expires.parse::<i64>(), hex::decode(mac)) else {
                return false;
            };
            expires > now && session_mac(token, expires).verify_slice(&mac).is_ok()
        })
        .map(str::to_string)
}

pub async fn sign_in_form() -> Markup {
    form(None)
}

pub async fn sign_in(State(state): State<ApiState>, request: Request) -> Response {
    if let Err(wait) = state.sign_in_throttle.try_take(&request) {
        return too_many_tries(wait);
    }
    if !same_origin(request.headers()) {
        return forbidden("the form was posted from another site");
    }
    let Ok(Form(form_data)) = Form::<SignIn>::from_request(request, &state).await else {
        return (
            StatusCode::BAD_REQUEST,
            form(Some("Send the token in the form.")),
        )
            .into_response();
    };
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
