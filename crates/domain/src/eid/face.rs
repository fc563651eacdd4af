//! The face verification service, as a port (R22): the system keeps the state machine, the
//! audit trail and the step-up; the match itself is someone else's.

/// What the verification service says about one capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceMatch {
    pub matched: bool,
    /// The capture was of a live person, not a photo or a replay.
    pub live: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("face verification unavailable: {0}")]
pub struct FaceUnavailable(pub String);

#[async_trait::async_trait]
pub trait FaceVerifier: Send + Sync {
    /// Compares the capture the service holds under `capture_ref` with the photo of the
    /// identity card numbered `id_number`.
    async fn verify(&self, capture_ref: &str, id_number: &str) -> Result<FaceMatch, FaceUnavailable>;
}
