//! R22: the development face verifier must be asked for by name, and a production server
//! (an `https` public URL) refuses to start with it.

mod support;

use std::process::Command;

#[test]
fn r22_the_development_face_verifier_is_refused_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(support::BIN)
        .env("EA_DATABASE_URL", format!("sqlite://{}", dir.path().join("ea.db").display()))
        .env("EA_KEY_FILE", dir.path().join("master.key"))
        .env("EA_LOG", "warn")
        .args(["serve", "--listen", "127.0.0.1:0", "--public-url", "https://account.example.mo"])
        .args(["--face-verifier", "dev"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--face-verifier dev is for development"), "{err}");

    let out = Command::new(support::BIN)
        .env("EA_DATABASE_URL", format!("sqlite://{}", dir.path().join("ea.db").display()))
        .env("EA_KEY_FILE", dir.path().join("master.key"))
        .args(["serve", "--listen", "127.0.0.1:0", "--face-verifier", "ftp://nowhere"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--face-verifier must be"));
}
