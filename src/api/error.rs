//! Errors as every route answers them: `{"error": {"code", "message"}}` with the status
//! that fits. Bad input is a 4xx naming what was wrong; a database or queue that cannot be
//! reached is a 503; nothing a caller sends yields a 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use serde::Serialize;
use utoipa::ToSchema;

use crate::feed::cursor::CursorError;
use crate::feed::endpoints::EndpointError;
use crate::queue::storage::QueueError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// For a cursor behind the feed's retention: the oldest cursor served.
    pub oldest_cursor: Option<i64>,
}

/// The body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `invalid_store_url`, `store_not_found`, ...
    pub code: String,
    /// For people.
    pub message: String,
    /// With `cursor_expired` (410): the oldest cursor the change feed still serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_cursor: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            oldest_cursor: None,
        }
    }

    /// 400: the request cannot be read (malformed JSON, a bad query parameter).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422: the request is read but its values are refused.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn store_not_found(store_id: i64) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "store_not_found",
            format!("store {store_id} does not exist"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 500: what is stored cannot be served (it should never happen; it is logged).
    pub fn internal(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::error!(%message, "a request could not be answered");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    /// 503: something we depend on is down; the caller may try again.
    pub fn unavailable(code: &'static str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!(code, %error, "a request failed on a service woosync depends on");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, error.to_string())
    }

    /// The same for callers without the token (stores delivering webhooks): the cause is
    /// logged, not told.
    pub fn unavailable_quietly(code: &'static str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!(code, %error, "a request failed on a service woosync depends on");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            "woosync cannot take this now; try again",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                oldest_cursor: self.oldest_cursor.map(|cursor| cursor.to_string()),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<CursorError> for ApiError {
    fn from(error: CursorError) -> ApiError {
        match error {
            CursorError::Pruned { oldest, .. } => ApiError {
                oldest_cursor: Some(oldest),
                ..ApiError::new(StatusCode::GONE, "cursor_expired", error.to_string())
            },
            CursorError::Garbage(_) | CursorError::Future { .. } => {
                ApiError::bad_request("invalid_cursor", error.to_string())
            }
        }
    }
}

impl From<EndpointError> for ApiError {
    fn from(error: EndpointError) -> ApiError {
        let code = error.code();
        match error {
            EndpointError::Cursor(error) => error.into(),
            EndpointError::Database(error) => error.into(),
            EndpointError::NotFound(_) | EndpointError::UnknownStore(_) => {
                ApiError::new(StatusCode::NOT_FOUND, code, error.to_string())
            }
            EndpointError::Secret(_) => ApiError::internal(error.to_string()),
            _ => ApiError::invalid(code, error.to_string()),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> ApiError {
        ApiError::unavailable("database_unavailable", error)
    }
}

impl From<QueueError> for ApiError {
    fn from(error: QueueError) -> ApiError {
        match error {
            QueueError::NotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "job_not_found", error.to_string())
            }
            QueueError::WrongState { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "job_in_wrong_state",
                error.to_string(),
            ),
            QueueError::Unavailable(_) => ApiError::unavailable("queue_unavailable", error),
        }
    }
}
