//! The message catalogues against the code (issue: every string from the catalogues): each
//! language has the same keys; every key a template or the page code uses exists; no key
//! is left unused. That every error code and audit action has its message in every language
//! is not tested here: `web::labels` would not compile without it.

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;
use server::web::i18n::{catalogue, Lang};

/// Attribute values of the key shape that are not message keys (autocomplete tokens).
const NOT_KEYS: &[&str] = &["current-password", "new-password", "one-time-code", "tel-national"];

fn files_under(dir: &Path, ext: &str, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn crate_dir(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn all_keys() -> BTreeSet<String> {
    Lang::ALL.iter().flat_map(|l| catalogue().keys(*l)).collect()
}

/// Key-shaped literals inside template expressions (`{{ … }}`, `{% … %}`), except the
/// values of `id=` and `autocomplete=` arguments: the keys a template asks for.
fn template_keys() -> BTreeSet<(String, String)> {
    let expression = Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}").unwrap();
    let literal = Regex::new(r#"(\b[a-z_]+=)?["']([a-z][a-z0-9]*(?:-[a-z0-9]+)+)["']"#).unwrap();
    let mut sources = Vec::new();
    files_under(&crate_dir("templates"), "html", &mut sources);
    let mut keys = BTreeSet::new();
    for (file, text) in sources {
        for expr in expression.find_iter(&text) {
            for cap in literal.captures_iter(expr.as_str()) {
                let argument = cap.get(1).map(|m| m.as_str());
                if matches!(argument, Some("id=") | Some("autocomplete=") | Some("inputmode=") | Some("kind=")) {
                    continue;
                }
                keys.insert((cap[2].to_string(), file.clone()));
            }
        }
    }
    keys
}

/// Key-shaped string literals anywhere in templates and page code: `"admin-staff-title"`.
fn used_keys() -> BTreeSet<(String, String)> {
    let literal = Regex::new(r#"["']([a-z][a-z0-9]*(?:-[a-z0-9]+)+)["']"#).unwrap();
    let mut sources = Vec::new();
    files_under(&crate_dir("templates"), "html", &mut sources);
    files_under(&crate_dir("src/web"), "rs", &mut sources);
    files_under(&crate_dir("src/oidc"), "rs", &mut sources);
    let mut used = BTreeSet::new();
    for (file, text) in sources {
        for cap in literal.captures_iter(&text) {
            used.insert((cap[1].to_string(), file.clone()));
        }
    }
    used
}

/// The key prefixes the catalogues use (`login`, `admin`, …): a literal with one of them
/// in the code is meant as a key.
fn prefixes(keys: &BTreeSet<String>) -> BTreeSet<String> {
    keys.iter().filter_map(|k| k.split('-').next().map(str::to_string)).collect()
}

#[test]
fn every_language_has_the_same_keys() {
    let zh: BTreeSet<String> = catalogue().keys(Lang::Zh).into_iter().collect();
    for lang in [Lang::Pt, Lang::En] {
        let other: BTreeSet<String> = catalogue().keys(lang).into_iter().collect();
        let missing: Vec<_> = zh.difference(&other).collect();
        let extra: Vec<_> = other.difference(&zh).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang:?}: missing {missing:?}, not in zh-Hant {extra:?}");
    }
}

#[test]
fn every_key_the_pages_use_is_in_every_catalogue() {
    let keys = all_keys();
    let prefixes = prefixes(&keys);
    let mut missing = Vec::new();
    let in_code = used_keys().into_iter().filter(|(k, file)| {
        file.ends_with(".rs") && !NOT_KEYS.contains(&k.as_str()) && prefixes.contains(k.split('-').next().unwrap())
    });
    for (key, file) in template_keys().into_iter().chain(in_code) {
        if NOT_KEYS.contains(&key.as_str()) {
            continue;
        }
        for lang in Lang::ALL {
            if !catalogue().has(lang, &key) {
                missing.push(format!("{key} ({lang:?}, used in {file})"));
            }
        }
    }
    assert!(missing.is_empty(), "keys without a message:\n{}", missing.join("\n"));
}

#[test]
fn no_catalogue_key_is_unused() {
    let used: BTreeSet<String> = used_keys().into_iter().map(|(k, _)| k).collect();
    let labels: BTreeSet<String> = server::web::labels::every_key().map(|k| k.as_str().to_string()).collect();
    let unused: Vec<String> = all_keys().into_iter().filter(|k| !used.contains(k) && !labels.contains(k)).collect();
    assert!(unused.is_empty(), "catalogue keys nobody uses:\n{}", unused.join("\n"));
}
