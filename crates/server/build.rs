//! Embeds the web platform's templates, message catalogues and assets at build time, so
//! the binary serves them with nothing read from disk: one generated table per folder. It
//! also declares a constant for each message key that every language's catalogue holds
//! (`web::keys`), so code naming a key one language lacks does not compile.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The catalogue folders, one a language (`web::i18n::Lang`).
const LANGUAGES: [&str; 3] = ["zh-Hant", "pt", "en"];

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder of the server crate") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn table(name: &str, folder: &str, out: &mut String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    println!("cargo:rerun-if-changed={}", root.display());
    writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for path in files(&root) {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        writeln!(out, "    ({rel:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    writeln!(out, "];").unwrap();
}

/// The message ids of one language's catalogue files (terms, `-name`, are not keys).
fn message_ids(lang: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
    let mut ids = BTreeSet::new();
    for path in files(&root) {
        let text = std::fs::read_to_string(&path).expect("a readable catalogue");
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errs)| panic!("{}: {errs:?}", path.display()));
        for entry in resource.body {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.insert(m.id.name.to_string());
            }
        }
    }
    ids
}

/// `pub const ERROR_TOO_LONG: Key = Key("error-too-long");` for each key all languages hold.
/// A key some language lacks gets no constant: code naming it fails to compile, which is
/// the point (the catalogue test then names the language).
fn keys(out: &mut String) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for lang in LANGUAGES {
        for id in message_ids(lang) {
            *count.entry(id).or_default() += 1;
        }
    }
    for (id, n) in count {
        if n == LANGUAGES.len() {
            let name = id.to_ascii_uppercase().replace('-', "_");
            writeln!(out, "pub const {name}: Key = Key({id:?});").unwrap();
        }
    }
}

fn main() {
    let mut out = String::new();
    table("TEMPLATES", "templates", &mut out);
    table("LOCALES", "locales", &mut out);
    table("ASSETS", "assets", &mut out);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
    let mut out = String::new();
    keys(&mut out);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("keys.rs");
    std::fs::write(dest, out).unwrap();
}
