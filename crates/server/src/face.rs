//! `FaceVerifier` adapters: the verification service over HTTP, and a development stand-in
//! that must be asked for by name and is refused in production.

use std::time::Duration;

use domain::eid::face::{FaceMatch, FaceUnavailable, FaceVerifier};

/// Posts `{"capture_ref", "id_document_number"}` and expects `{"match": bool, "live": bool}`.
pub struct HttpFaceVerifier {
    url: String,
    http: reqwest::Client,
}

impl HttpFaceVerifier {
    pub fn new(url: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        HttpFaceVerifier { url: url.to_string(), http }
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    #[serde(rename = "match")]
    matched: bool,
    live: bool,
}

#[async_trait::async_trait]
impl FaceVerifier for HttpFaceVerifier {
    async fn verify(&self, capture_ref: &str, id_number: &str) -> Result<FaceMatch, FaceUnavailable> {
        let body = serde_json::json!({"capture_ref": capture_ref, "id_document_number": id_number});
        let res = self.http.post(&self.url).json(&body).send().await.map_err(|e| FaceUnavailable(e.to_string()))?;
        // A capture the service does not know (or refuses) is a failed try, counted like a
        // mismatch, so capture references cannot be guessed for free; only its own failures
        // (5xx) mean it is unavailable.
        if res.status().is_client_error() {
            return Ok(FaceMatch { matched: false, live: false });
        }
        if !res.status().is_success() {
            return Err(FaceUnavailable(format!("the service answered {}", res.status())));
        }
        let a: Answer = res.json().await.map_err(|e| FaceUnavailable(format!("unreadable answer: {e}")))?;
        Ok(FaceMatch { matched: a.matched, live: a.live })
    }
}

/// Development only: matches exactly the capture reference `dev-match`.
pub struct DevFaceVerifier;

pub const DEV_MATCH: &str = "dev-match";

#[async_trait::async_trait]
impl FaceVerifier for DevFaceVerifier {
    async fn verify(&self, capture_ref: &str, _id_number: &str) -> Result<FaceMatch, FaceUnavailable> {
        let ok = capture_ref == DEV_MATCH;
        Ok(FaceMatch { matched: ok, live: ok })
    }
}
