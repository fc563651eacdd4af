//! `entity-account serve`: the HTTP server and the SMS delivery worker, until SIGTERM or
//! Ctrl-C; in-flight requests finish before exit.

use anyhow::Context;
use domain::config::Policy;
use std::sync::Arc;

use domain::eid::face::FaceVerifier;
use server::face::{DevFaceVerifier, HttpFaceVerifier};
use server::oidc::backchannel::BackchannelWorker;
use server::sms_worker::{SmsSink, SmsWorker};
use server::AppState;

use crate::cli::{Common, ServeArgs};
use crate::wiring;

pub fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EA_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn run(common: &Common, args: ServeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.activation_code_ttl_secs >= Policy::MIN_CODE_TTL_SECS,
        "--activation-code-ttl-secs must be at least {} (R9)",
        Policy::MIN_CODE_TTL_SECS
    );
    anyhow::ensure!(args.password_min_chars >= 8, "--password-min-chars must be at least 8 (NIST SP 800-63B)");
    for (flag, v) in [
        ("--id-token-ttl-secs", args.id_token_ttl_secs),
        ("--access-token-ttl-secs", args.access_token_ttl_secs),
        ("--refresh-token-ttl-secs", args.refresh_token_ttl_secs),
    ] {
        anyhow::ensure!((1..=30 * 24 * 3600).contains(&v), "{flag} must be between 1 second and 30 days");
    }
    anyhow::ensure!(
        args.public_url.starts_with("https://") || args.public_url.starts_with("http://"),
        "--public-url must be an http(s) URL"
    );
    let sink = SmsSink::parse(&args.sms_sink).map_err(anyhow::Error::msg)?;
    let mut policy = Policy {
        activation_code_ttl_secs: args.activation_code_ttl_secs,
        id_token_ttl_secs: args.id_token_ttl_secs,
        access_token_ttl_secs: args.access_token_ttl_secs,
        refresh_token_ttl_secs: args.refresh_token_ttl_secs,
        step_up_ttl_secs: args.step_up_ttl_secs,
        ..Policy::default()
    };
    anyhow::ensure!(
        (60..=3600).contains(&args.step_up_ttl_secs),
        "--step-up-ttl-secs must be between 60 s and an hour (shorter than a session)"
    );
    let production = args.public_url.starts_with("https://");
    let face: Option<Arc<dyn FaceVerifier>> = match args.face_verifier.as_deref() {
        None | Some("") => None,
        Some("dev") => {
            anyhow::ensure!(!production, "--face-verifier dev is for development; refused with an https public URL");
            Some(Arc::new(DevFaceVerifier))
        }
        Some(url) if url.starts_with("https://") || (url.starts_with("http://") && !production) => {
            Some(Arc::new(HttpFaceVerifier::new(url)))
        }
        Some(url) if url.starts_with("http://") => {
            anyhow::bail!("--face-verifier must be https in production: it carries identity card numbers")
        }
        Some(other) => anyhow::bail!("--face-verifier must be an http(s) URL or `dev`, not {other:?}"),
    };
    policy.password.min_chars = args.password_min_chars;
    let w = wiring::build(common, policy).await?;
    w.services.ensure_signing_key().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    w.services.ensure_enrolment_key().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.face_verifier.as_deref() == Some("dev") {
        tracing::warn!("DEVELOPMENT face verifier: any capture reference `dev-match` matches; never use in production");
    }
    if args.public_url.starts_with("http://") {
        tracing::warn!("the public URL is plain HTTP: development mode, cookies are not Secure");
    }
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let node = match args.node_id.as_deref() {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => node_id(&listener.local_addr()?.to_string()),
    };
    let worker = SmsWorker::new(w.services.clone(), sink, w.sms_wake.clone())
        .with_node_id(&node)
        .with_rate(args.sms_rate)
        .spawn();
    let logouts = BackchannelWorker::new(w.services.clone(), args.public_url.trim_end_matches('/').to_string()).spawn();
    tracing::info!(listen = %listener.local_addr()?, public_url = %args.public_url, "entity-account serving");
    let mut state = AppState::new(w.services.clone())
        .with_trusted_proxies(args.trusted_proxies.clone())
        .with_issuer(&args.public_url)
        .with_hash_pool(w.hash_pool.clone());
    if let Some(f) = face {
        state = state.with_face_verifier(f);
    }
    let app = server::router(state);
    server::listener::serve(listener, app, shutdown_signal()).await;
    worker.abort();
    logouts.abort();
    Ok(())
}

/// This node's identity for SMS leases: one host listens on one address once, so a process on
/// the same host and address is this node restarted, and may take back its leases.
fn node_id(listen: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim();
    format!("{}/{listen}", if host.is_empty() { "localhost" } else { host })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
