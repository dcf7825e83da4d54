//! What the fake answers: a Bot API success, a Bot API error, a raw body (a
//! proxy's 5xx page) or nothing at all (the connection is cut).
//!
//! Owns the wire shape of answers. Does not decide which answer to give.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Bot API error: `{"ok":false,"error_code":…,"description":…}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub status: u16,
    pub description: String,
    pub retry_after: Option<u32>,
}

impl ApiFailure {
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Self {
            status,
            description: description.into(),
            retry_after: None,
        }
    }

    /// 400 with `detail` after Telegram's "Bad Request: " prefix.
    pub fn bad_request(detail: impl std::fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {detail}"))
    }

    pub fn chat_not_found() -> Self {
        Self::bad_request("chat not found")
    }

    pub fn blocked() -> Self {
        Self::new(403, "Forbidden: bot was blocked by the user")
    }

    pub fn conflict() -> Self {
        Self::new(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        )
    }

    pub fn retry_after(seconds: u32) -> Self {
        Self {
            status: 429,
            description: format!("Too Many Requests: retry after {seconds}"),
            retry_after: Some(seconds),
        }
    }

    fn body(&self) -> Value {
        let mut body =
            json!({ "ok": false, "error_code": self.status, "description": self.description });
        if let (Some(seconds), Some(map)) = (self.retry_after, body.as_object_mut()) {
            map.insert("parameters".to_owned(), json!({ "retry_after": seconds }));
        }
        body
    }
}

/// The answer to one request.
#[derive(Debug)]
pub enum Reply {
    Ok(Value),
    Fail(ApiFailure),
    /// A non-JSON body, as a proxy in front of Telegram sends on 502/503/504.
    Raw {
        status: u16,
        body: String,
    },
    /// Close the connection without answering.
    Cut,
}

impl Reply {
    /// The HTTP status this reply carries (`None` when the connection is cut).
    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Ok(_) => Some(200),
            Reply::Fail(failure) => Some(failure.status),
            Reply::Raw { status, .. } => Some(*status),
            Reply::Cut => None,
        }
    }

    /// A 5xx as Telegram's edge gives it: JSON for 500, nginx's HTML page otherwise.
    pub fn server_error(status: u16) -> Self {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Server Error");
        if status == 500 {
            return Reply::Fail(ApiFailure::new(500, "Internal Server Error"));
        }
        let body = format!(
            "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
        );
        Reply::Raw { status, body }
    }
}

impl From<Result<Value, ApiFailure>> for Reply {
    fn from(result: Result<Value, ApiFailure>) -> Self {
        match result {
            Ok(value) => Reply::Ok(value),
            Err(failure) => Reply::Fail(failure),
        }
    }
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Ok(result) => {
                axum::Json(json!({ "ok": true, "result": result })).into_response()
            }
            Reply::Fail(failure) => {
                (status_code(failure.status), axum::Json(failure.body())).into_response()
            }
            Reply::Raw { status, body } => (
                status_code(status),
                [(header::CONTENT_TYPE, "text/html")],
                body,
            )
                .into_response(),
            // The connection is already marked dead; this response is never written.
            Reply::Cut => StatusCode::NO_CONTENT.into_response(),
        }
    }
}
