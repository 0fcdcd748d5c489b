//! WooCommerce's app authentication endpoint (`class-wc-auth.php`): an app sends the
//! merchant to `/wc-auth/v1/authorize` with `app_name`, `scope`, `user_id`, `return_url`
//! and `callback_url`; the merchant logs in (`/wc-auth/v1/login`, then WordPress's login
//! form) and approves or denies; on approval (`/wc-auth/v1/access_granted`, with a nonce)
//! the store makes a key, POSTs it as JSON to the callback, deletes it again unless the
//! callback answers 200, and sends the merchant to `return_url?success=1&user_id=...`.
//! Every step checks the five parameters first; the callback must be https unless the
//! store was started for tests that call back over plain HTTP.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Router};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;

use super::auth::ApiKey;
use super::store::{SimStore, lock};

/// The merchant's WordPress login.
pub const ADMIN_USER: &str = "admin";
/// The cookie WordPress's login sets.
const SESSION_COOKIE: &str = "wordpress_logged_in_sim";

pub fn router() -> Router<Arc<SimStore>> {
    Router::new()
        .route(
            "/wc-auth/v1/{route}",
            axum::routing::get(auth_endpoint).post(auth_endpoint),
        )
        // WordPress's endpoint URLs end in a slash.
        .route(
            "/wc-auth/v1/{route}/",
            axum::routing::get(auth_endpoint).post(auth_endpoint),
        )
        .route("/wp-login.php", axum::routing::post(log_in))
}

/// The five parameters every step takes.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthParams {
    app_name: Option<String>,
    user_id: Option<String>,
    return_url: Option<String>,
    callback_url: Option<String>,
    scope: Option<String>,
    wc_auth_nonce: Option<String>,
}

/// The parameters once checked (`make_validation`).
struct Checked {
    app_name: String,
    user_id: String,
    return_url: String,
    callback_url: String,
    scope: String,
}

/// `wp_die` as the endpoint answers every failure: 401 and an HTML page.
fn denied(message: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html><head><title>Access denied</title></head><body id=\"error-page\"><div class=\"wp-die-message\">Error: {}.</div></body></html>",
        escape(message)
    );
    (StatusCode::UNAUTHORIZED, Html(page)).into_response()
}

/// A URL as `get_formatted_url` reads it: decoded, `https://` added when it has no scheme.
fn formatted(url: &str) -> String {
    let decoded = url::form_urlencoded::parse(format!("x={url}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if decoded.contains("://") {
        decoded
    } else {
        format!("https://{decoded}")
    }
}

fn check(store: &SimStore, params: &AuthParams) -> Result<Checked, String> {
    let field = |name: &str, value: &Option<String>| {
        value
            .clone()
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("Missing parameter {name}"))
    };
    let checked = Checked {
        app_name: field("app_name", &params.app_name)?,
        user_id: field("user_id", &params.user_id)?,
        return_url: field("return_url", &params.return_url)?,
        callback_url: field("callback_url", &params.callback_url)?,
        scope: field("scope", &params.scope)?,
    };
    if !["read", "write", "read_write"].contains(&checked.scope.as_str()) {
        return Err(format!("Invalid scope {}", checked.scope));
    }
    for url in [&checked.return_url, &checked.callback_url] {
        let url = formatted(url);
        if url::Url::parse(&url).is_err() {
            return Err(format!("The {url} is not a valid URL"));
        }
    }
    let callback = formatted(&checked.callback_url);
    let secure = callback.to_ascii_lowercase().starts_with("https://");
    if !secure && !store.http_callbacks {
        return Err("The callback_url needs to be over SSL".into());
    }
    Ok(checked)
}

/// `build_url`: a step of the endpoint with the five parameters.
fn step_url(store: &SimStore, step: &str, checked: &Checked) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("app_name", &checked.app_name)
        .append_pair("user_id", &checked.user_id)
        .append_pair("return_url", &formatted(&checked.return_url))
        .append_pair("callback_url", &formatted(&checked.callback_url))
        .append_pair("scope", &checked.scope)
        .finish();
    format!("{}/wc-auth/v1/{step}/?{query}", store.site_url)
}

/// `return_url` with `success` and `user_id` added.
fn returned(checked: &Checked, success: bool) -> String {
    let mut url = match url::Url::parse(&formatted(&checked.return_url)) {
        Ok(url) => url,
        Err(_) => return formatted(&checked.return_url),
    };
    url.query_pairs_mut()
        .append_pair("success", if success { "1" } else { "0" })
        .append_pair("user_id", &checked.user_id);
    url.to_string()
}

fn logged_in(store: &SimStore, headers: &HeaderMap) -> bool {
    let sessions = lock(&store.admin_sessions);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == SESSION_COOKIE && sessions.contains(value))
}

async fn auth_endpoint(
    State(store): State<Arc<SimStore>>,
    Path(route): Path<String>,
    headers: HeaderMap,
    Query(params): Query<AuthParams>,
) -> Response {
    let checked = match check(&store, &params) {
        Ok(checked) => checked,
        Err(message) => return denied(&message),
    };
    let signed_in = logged_in(&store, &headers);
    match (route.trim_end_matches('/'), signed_in) {
        ("login", false) => Html(login_page(&store, &checked)).into_response(),
        ("login", true) => Redirect::to(&step_url(&store, "authorize", &checked)).into_response(),
        ("authorize", false) => Redirect::to(&step_url(&store, "login", &checked)).into_response(),
        ("authorize", true) => Html(grant_page(&store, &checked)).into_response(),
        ("access_granted", true) => grant_access(&store, &checked, params.wc_auth_nonce).await,
        _ => denied("You do not have permission to access this page"),
    }
}

#[derive(Debug, Deserialize)]
struct LogIn {
    log: String,
    pwd: String,
    redirect_to: String,
}

/// WordPress's login form: the admin's password gives a session cookie and goes on.
async fn log_in(State(store): State<Arc<SimStore>>, Form(form): Form<LogIn>) -> Response {
    if form.log != ADMIN_USER || form.pwd != store.admin_password {
        let page = format!(
            "<!DOCTYPE html><html><body class=\"login\"><div id=\"login_error\"><strong>Error:</strong> The password you entered for the username {} is incorrect.</div><a href=\"{}\">Try again</a></body></html>",
            escape(&form.log),
            escape(&form.redirect_to)
        );
        return (StatusCode::OK, Html(page)).into_response();
    }
    let session = random_hex(32);
    lock(&store.admin_sessions).insert(session.clone());
    let target = if form.redirect_to.starts_with(&store.site_url) {
        form.redirect_to
    } else {
        format!("{}/wp-admin/", store.site_url)
    };
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly"),
        )],
        Redirect::to(&target),
    )
        .into_response()
}

/// `access_granted`: a key for the app, posted to its callback; deleted again unless the
/// callback answers 200.
async fn grant_access(store: &SimStore, checked: &Checked, nonce: Option<String>) -> Response {
    let valid = nonce.is_some_and(|nonce| lock(&store.grant_nonces).remove(&nonce));
    if !valid {
        return denied("Invalid nonce verification");
    }
    let key = ApiKey {
        consumer_key: format!("ck_{}", random_hex(40)),
        consumer_secret: format!("cs_{}", random_hex(40)),
        permissions: checked.scope.clone(),
        manage_woocommerce: true,
    };
    let key_id = {
        let mut auth = lock(&store.auth);
        auth.keys.push(key.clone());
        auth.keys.len() as i64
    };
    let consumer_data = json!({
        "key_id": key_id,
        "user_id": checked.user_id,
        "consumer_key": key.consumer_key,
        "consumer_secret": key.consumer_secret,
        "key_permissions": checked.scope,
    });
    let answered = store
        .http
        .post(formatted(&checked.callback_url))
        .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
        .body(consumer_data.to_string())
        .send()
        .await;
    let delivered = matches!(&answered, Ok(response) if response.status() == StatusCode::OK);
    if !delivered {
        lock(&store.auth)
            .keys
            .retain(|held| held.consumer_key != key.consumer_key);
        let message = match answered {
            Err(error) => error.to_string(),
            Ok(_) => "An error occurred in the request and at the time were unable to send the consumer data".into(),
        };
        return denied(&message);
    }
    Redirect::to(&returned(checked, true)).into_response()
}

fn login_page(store: &SimStore, checked: &Checked) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>{app} would like to connect to your store</title></head><body class=\"wc-auth\">\
         <h1>{app} would like to connect to {site}</h1>\
         <p>To connect to {app} you need to be logged in. Log in to your store below, or cancel and return to {app}.</p>\
         <form method=\"post\" action=\"{site}/wp-login.php\" class=\"wc-auth-login\">\
         <p><label for=\"username\">Username or email address</label><input type=\"text\" name=\"log\" id=\"username\"></p>\
         <p><label for=\"password\">Password</label><input type=\"password\" name=\"pwd\" id=\"password\"></p>\
         <input type=\"hidden\" name=\"redirect_to\" value=\"{redirect}\">\
         <p class=\"wc-auth-actions\"><button type=\"submit\" class=\"button wc-auth-login-button\" id=\"wp-submit\">Login</button>\
         <a href=\"{cancel}\" class=\"button wc-auth-cancel\">Cancel</a></p>\
         </form></body></html>",
        app = escape(&checked.app_name),
        site = store.site_url,
        redirect = escape(&step_url(store, "authorize", checked)),
        cancel = escape(&returned(checked, false)),
    )
}

fn grant_page(store: &SimStore, checked: &Checked) -> String {
    let nonce = random_hex(10);
    lock(&store.grant_nonces).insert(nonce.clone());
    let granted = format!(
        "{}&wc_auth_nonce={nonce}",
        step_url(store, "access_granted", checked)
    );
    let (scope, permissions): (&str, &[&str]) = match checked.scope.as_str() {
        "read" => (
            "Read",
            &[
                "View coupons",
                "View customers",
                "View orders and sales reports",
                "View products",
            ],
        ),
        "write" => (
            "Write",
            &[
                "Create webhooks",
                "Create coupons",
                "Create customers",
                "Create orders",
                "Create products",
            ],
        ),
        _ => (
            "Read/Write",
            &[
                "Create webhooks",
                "View and manage coupons",
                "View and manage customers",
                "View and manage orders and sales reports",
                "View and manage products",
            ],
        ),
    };
    let listed: String = permissions
        .iter()
        .map(|permission| format!("<li>{permission}</li>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><title>{app} would like to connect to your store</title></head><body class=\"wc-auth\">\
         <h1>{app} would like to connect to your store</h1>\
         <p>This will give \"<strong>{app}</strong>\" <strong>{scope}</strong> access which will allow it to:</p>\
         <ul class=\"wc-auth-permissions\">{listed}</ul>\
         <div class=\"wc-auth-logged-in-as\"><p>Logged in as {ADMIN_USER}</p></div>\
         <p class=\"wc-auth-actions\">\
         <a href=\"{granted}\" class=\"button button-primary wc-auth-approve\">Approve</a>\
         <a href=\"{denied}\" class=\"button wc-auth-deny\">Deny</a></p></body></html>",
        app = escape(&checked.app_name),
        granted = escape(&granted),
        denied = escape(&returned(checked, false)),
    )
}

fn random_hex(length: usize) -> String {
    let mut dice = rand::rng();
    (0..length)
        .map(|_| char::from_digit(dice.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
