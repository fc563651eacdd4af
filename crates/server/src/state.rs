//! What every handler shares: the domain's services and the server's own settings
//! (`AppState`), and the limits every request is held to. Handlers import this, never the
//! router, which imports them.

use std::sync::Arc;

use domain::Services;

/// The largest request body read.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The largest body of a staff file's upload (R32): the file's own limit, and room for a
/// form's other fields around it. The file's parse refuses a larger file by name.
pub const IMPORT_BODY_LIMIT: usize = domain::import_form::IMPORT_MAX_BYTES + BODY_LIMIT;

/// The limit of the request body at `path`: larger only where a staff file is uploaded.
pub fn body_limit_of(path: &str) -> usize {
    if is_import_path(path) {
        IMPORT_BODY_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// The API's and the staff page's upload of a staff file.
fn is_import_path(path: &str) -> bool {
    path == "/admin/staff/import" || (path.starts_with("/api/v1/entities/") && path.ends_with("/logins/import"))
}
/// Every request, its body included, is answered within this: a client that sends its body a
/// byte at a time gets `408` instead of holding a connection and a task. Nothing the service
/// does takes this long (a transaction dropped here rolls back).
pub const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// Load balancers whose `X-Forwarded-For` is believed; anyone else's is ignored.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// The public base URL: the OpenID Connect issuer and the origin forms must come from.
    pub issuer: Arc<str>,
    /// The face verification service, when one is configured (R22).
    pub face: Option<Arc<dyn domain::eid::face::FaceVerifier>>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    pub fn new(services: Arc<Services>) -> Self {
        AppState {
            services,
            trusted_proxies: Arc::new(Vec::new()),
            issuer: Arc::from("http://127.0.0.1:8080"),
            face: None,
            metrics: Arc::new(crate::metrics::Metrics::new(None)),
        }
    }

    /// Reports this password-hash pool's figures at `/metrics`.
    pub fn with_hash_pool(mut self, pool: Arc<crate::hashing::Argon2Pool>) -> Self {
        self.metrics = Arc::new(crate::metrics::Metrics::new(Some(pool)));
        self
    }

    pub fn with_face_verifier(mut self, face: Arc<dyn domain::eid::face::FaceVerifier>) -> Self {
        self.face = Some(face);
        self
    }

    pub fn with_issuer(mut self, public_url: &str) -> Self {
        self.issuer = Arc::from(public_url.trim_end_matches('/'));
        self
    }

    /// Cookies are `Secure` and `__Host-` unless the issuer is plain HTTP (development).
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// `scheme://host[:port]` of the issuer, as browsers send it in `Origin`.
    pub fn issuer_origin(&self) -> &str {
        let after_scheme = self.issuer.find("://").map(|i| i + 3).unwrap_or(0);
        match self.issuer[after_scheme..].find('/') {
            Some(j) => &self.issuer[..after_scheme + j],
            None => &self.issuer,
        }
    }

    pub fn with_trusted_proxies(mut self, proxies: Vec<std::net::IpAddr>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }
}
