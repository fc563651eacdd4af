//! `entity-account app`: the reference mobile app (R23, R24; `docs/eid.md`). This is the
//! specification a real mobile app follows; it speaks only the public HTTP API and never
//! opens the server's database or builds its services.
//!
//! - **State.** The app keeps, in one JSON file created with mode `0600` (and rewritten
//!   atomically: a `0600` temporary file in the same folder, then a rename), the server's
//!   base URL, the signed-in login (entity number, username, login id), its session token,
//!   and, after `enrol`, the TOTP secret (hex) and the enrolment it was sealed for. A real app
//!   keeps the same in the platform's protected storage (Keychain, Android Keystore).
//! - **`login`** `--base-url URL --entity-number N --username U --password-stdin`:
//!   `POST {base}/api/v1/login` `{entity_number, username, password}` → `{token, login_id,
//!   kind}`; the token is kept for the calls below (`Authorization: Bearer`).
//! - **`enrol [--png PATH]`**: `POST {base}/api/v1/me/eid/enrolments` → `201 {enrolment_id,
//!   expires_at, server_key}`. The app makes a new secret of 20 random bytes (160 bits, R24)
//!   from the operating system's generator, keeps it, and seals it to `server_key` for that
//!   enrolment with [`domain::eid::payload::seal`] (X25519, HKDF-SHA256,
//!   XChaCha20-Poly1305 with the enrolment id as associated data). The payload
//!   `EA1.<enrolment id>.<ephemeral key>.<nonce ‖ ciphertext>` is printed alone on standard
//!   output, its QR code drawn on standard error, and with `--png` written as a PNG
//!   (black on white, 8 pixels a module, a quiet zone of 4 modules). The person shows the QR
//!   to the operator, who checks the identity document and scans it within 10 minutes; the
//!   secret itself never leaves the app in clear.
//! - **`code`**: prints the current RFC 6238 code (SHA-1, 6 digits, 30 s) of the kept secret,
//!   [`domain::eid::totp::code_at`].
//! - **`face off`**: `PUT {base}/api/v1/me/eid/face` `{"enabled": false}`; prints the answer
//!   (the login's e-ID state). Switching it back on needs the counter (R22).
//!
//! Exit codes: `0` success; `2` when the server refused (its problem's `code` and `detail`
//! on one line of standard error); `1` for any other failure (no state, network, files).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Context};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::cli::{AppArgs, AppCommand, FaceCommand};

/// What the app remembers between runs.
#[derive(Serialize, Deserialize, Default)]
struct AppState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entity_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    login_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_token: Option<String>,
    /// The TOTP secret, hex (20 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    totp_secret_hex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolment_expires_at: Option<Value>,
}

/// Why a command failed: the server refused (exit 2) or anything else (exit 1).
enum Failure {
    Refused { status: u16, code: String, detail: String },
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

type AppResult<T> = Result<T, Failure>;

/// Runs one app command; prints any failure on one line of standard error.
pub async fn run(args: AppArgs) -> ExitCode {
    let result = match args.command {
        AppCommand::Login { base_url, entity_number, username, password_stdin } => {
            login(&args.state, base_url, entity_number, username, password_stdin).await
        }
        AppCommand::Enrol { png } => enrol(&args.state, png.as_deref()).await,
        AppCommand::Code => code(&args.state),
        AppCommand::Face { command: FaceCommand::Off } => face_off(&args.state).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused { status, code, detail }) => {
            eprintln!("entity-account app: refused by the server ({status} {code}): {}", one_line(&detail));
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("entity-account app: {}", one_line(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// Commands.

async fn login(
    state_path: &Path,
    base_url: String,
    entity_number: String,
    username: String,
    password_stdin: bool,
) -> AppResult<()> {
    if !password_stdin {
        return Err(anyhow!("give the password on standard input with --password-stdin").into());
    }
    let mut password = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
    let password = Zeroizing::new(password.trim_end_matches(['\n', '\r']).to_string());
    let base = base_url.trim_end_matches('/').to_string();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(anyhow!("--base-url must be an http:// or https:// URL").into());
    }
    let body = json!({"entity_number": entity_number, "username": username, "password": password.as_str()});
    let answer = call(&base, "POST", "/api/v1/login", None, Some(&body)).await?;
    let token = answer["token"].as_str().ok_or_else(|| anyhow!("the login answer has no token"))?.to_string();
    let mut state = load(state_path)?;
    let login_id = answer["login_id"].as_str().map(str::to_string);
    // A secret belongs to one login of one server: signing in as another drops it, so
    // `code` never prints codes for the wrong login.
    if state.base_url.as_deref() != Some(base.as_str()) || state.login_id != login_id {
        state.totp_secret_hex = None;
    }
    state.base_url = Some(base);
    state.entity_number = Some(entity_number);
    state.username = Some(username);
    state.login_id = login_id;
    state.session_token = Some(token);
    save(state_path, &state)?;
    eprintln!(
        "signed in as {} ({})",
        state.username.as_deref().unwrap_or_default(),
        answer["kind"].as_str().unwrap_or("login")
    );
    Ok(())
}

async fn enrol(state_path: &Path, png_path: Option<&Path>) -> AppResult<()> {
    let mut state = load(state_path)?;
    let (base, token) = session(&state)?;
    let answer = call(&base, "POST", "/api/v1/me/eid/enrolments", Some(&token), Some(&json!({}))).await?;
    let enrolment_id =
        answer["enrolment_id"].as_str().ok_or_else(|| anyhow!("the enrolment answer has no enrolment_id"))?.to_string();
    let server_key = answer["server_key"]
        .as_str()
        .and_then(domain::eid::payload::decode_key)
        .ok_or_else(|| anyhow!("the enrolment answer's server_key is not a base64url X25519 key"))?;

    let mut secret = Zeroizing::new([0u8; domain::eid::payload::MIN_SECRET_BYTES]);
    rand::rngs::OsRng.fill_bytes(secret.as_mut());
    let payload = domain::eid::payload::seal(&server_key, &enrolment_id, secret.as_ref());

    // Kept before it is shown: a QR scanned for a secret the app no longer has is useless.
    state.totp_secret_hex = Some(hex::encode(secret.as_ref()));
    state.enrolment_id = Some(enrolment_id);
    state.enrolment_expires_at = answer.get("expires_at").cloned();
    save(state_path, &state)?;

    let qr = qrcode::QrCode::new(payload.as_bytes()).context("making the QR code")?;
    if let Some(path) = png_path {
        write_png(&qr, path).with_context(|| format!("writing the QR code to {}", path.display()))?;
    }
    // Light modules drawn as blocks: on a dark terminal the code shows black on white.
    let picture = qr
        .render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    eprintln!("{picture}");
    eprintln!("Show this code at the counter within 10 minutes.");
    let mut out = std::io::stdout().lock();
    writeln!(out, "{payload}").context("writing the payload")?;
    out.flush().context("writing the payload")?;
    Ok(())
}

fn code(state_path: &Path) -> AppResult<()> {
    let state = load(state_path)?;
    let secret = secret(&state)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs();
    let code = domain::eid::totp::code_at(&secret, now);
    if code.is_empty() {
        return Err(anyhow!("the kept secret cannot make codes; enrol again").into());
    }
    println!("{code}");
    Ok(())
}

async fn face_off(state_path: &Path) -> AppResult<()> {
    let state = load(state_path)?;
    let (base, token) = session(&state)?;
    let answer = call(&base, "PUT", "/api/v1/me/eid/face", Some(&token), Some(&json!({"enabled": false}))).await?;
    println!("{answer}");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// HTTP.

fn session(state: &AppState) -> AppResult<(String, String)> {
    match (&state.base_url, &state.session_token) {
        (Some(b), Some(t)) => Ok((b.clone(), t.clone())),
        _ => Err(anyhow!("not signed in: run `entity-account app login` first").into()),
    }
}

fn secret(state: &AppState) -> AppResult<Zeroizing<Vec<u8>>> {
    let hex_text = state
        .totp_secret_hex
        .as_deref()
        .ok_or_else(|| anyhow!("no security code yet: run `entity-account app enrol` first"))?;
    let bytes = hex::decode(hex_text).map_err(|_| anyhow!("the state file's secret is not hex"))?;
    Ok(Zeroizing::new(bytes))
}

/// One call to the public API: the JSON answer of a 2xx (`null` when empty); a 4xx with a
/// problem document is a refusal.
async fn call(base: &str, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> AppResult<Value> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("starting the HTTP client")?;
    let url = format!("{base}{path}");
    let method: reqwest::Method = method.parse().map_err(|_| anyhow!("bad method {method}"))?;
    let mut req = http.request(method, &url).header("accept", "application/json, application/problem+json");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.with_context(|| format!("calling {url}"))?;
    let status = res.status();
    let text = res.text().await.with_context(|| format!("reading the answer of {url}"))?;
    let json: Option<Value> = serde_json::from_str(&text).ok();
    if status.is_success() {
        return Ok(json.unwrap_or(Value::Null));
    }
    if status.is_client_error() {
        let problem = json.unwrap_or(Value::Null);
        let code = problem["code"].as_str().unwrap_or("refused").to_string();
        let mut detail = problem["detail"].as_str().unwrap_or_else(|| text.trim()).to_string();
        if let Some(errors) = problem["errors"].as_array() {
            for e in errors {
                if let (Some(f), Some(c)) = (e["field"].as_str(), e["code"].as_str()) {
                    detail.push_str(&format!(" [{f}: {c}]"));
                }
            }
        }
        return Err(Failure::Refused { status: status.as_u16(), code, detail });
    }
    Err(anyhow!("{url} answered {status}: {}", text.trim()).into())
}

// ---------------------------------------------------------------------------------------
// The state file.

fn load(path: &Path) -> anyhow::Result<AppState> {
    match std::fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("reading the state file {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AppState::default()),
        Err(e) => Err(e).with_context(|| format!("reading the state file {}", path.display())),
    }
}

/// Writes the state through a `0600` temporary file in the same folder and a rename, so a
/// crash leaves the old state or the new one, and the secret is never readable by others.
fn save(path: &Path, state: &AppState) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| anyhow!("the state path {} names no file", path.display()))?;
    let mut suffix = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut suffix);
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), hex::encode(suffix)));
    let text = Zeroizing::new(serde_json::to_vec_pretty(state).context("encoding the state")?);
    let write = || -> anyhow::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(&text)?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

// ---------------------------------------------------------------------------------------
// The PNG.

const PNG_MODULE_PX: usize = 8;
const PNG_QUIET_MODULES: usize = 4;

/// Black modules on white, 8 pixels a module, a 4-module quiet zone; 8-bit greyscale.
fn write_png(qr: &qrcode::QrCode, path: &Path) -> anyhow::Result<()> {
    let modules = qr.width();
    let colors = qr.to_colors();
    let side_modules = modules + 2 * PNG_QUIET_MODULES;
    let side = side_modules * PNG_MODULE_PX;
    let mut pixels = vec![0xffu8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + PNG_QUIET_MODULES, i / modules + PNG_QUIET_MODULES);
        for y in my * PNG_MODULE_PX..(my + 1) * PNG_MODULE_PX {
            pixels[y * side + mx * PNG_MODULE_PX..y * side + (mx + 1) * PNG_MODULE_PX].fill(0);
        }
    }
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_is_0600_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile_dir();
        let path = dir.join("app.json");
        let state = AppState { totp_secret_hex: Some("00".repeat(20)), ..AppState::default() };
        save(&path, &state).unwrap();
        save(&path, &state).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(load(&path).unwrap().totp_secret_hex, state.totp_secret_hex);
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left: {leftovers:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_png_has_a_quiet_zone_and_8_px_modules() {
        let dir = tempfile_dir();
        let path = dir.join("qr.png");
        let qr = qrcode::QrCode::new(b"EA1.x.y.z").unwrap();
        write_png(&qr, &path).unwrap();
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width as usize, (qr.width() + 8) * 8);
        assert_eq!(info.height, info.width);
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let d = std::env::temp_dir().join(format!("ea-app-test-{}", hex::encode(suffix)));
        std::fs::create_dir(&d).unwrap();
        d
    }
}
