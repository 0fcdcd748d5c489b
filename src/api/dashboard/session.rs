//! Signing in to the dashboard: the API token, once, in a form; then an HttpOnly,
//! SameSite=Strict cookie scoped to `/dashboard`, so that its forms need no token and no
//! other site can post them.

use axum::Form;
use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
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
    } else {
        Redirect::to("/dashboard/sign-in").into_response()
    }
}

fn has_session(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE_NAME}=")))
        .any(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes())))
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
    let cookie =
        format!("{COOKIE_NAME}={token}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=43200");
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
