//! Redirects, for the pages and the provider alike: `303 See Other` to a location that can
//! always be sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `303 See Other`. A location that cannot be a header (control characters from a crafted
/// request) goes to the start page instead of failing the request.
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let value = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    res.headers_mut().insert(header::LOCATION, value);
    res
}
