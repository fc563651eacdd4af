//! The three languages of the platform and their Fluent message catalogues
//! (`locales/<lang>/*.ftl`, embedded at build time). A page's language comes from
//! `?lang=`, then the `ea_lang` cookie, then `Accept-Language`, then Traditional Chinese.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Lang {
    Zh,
    Pt,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Zh, Lang::Pt, Lang::En];

    /// A language tag as people and browsers write it: `zh-Hant`, `zh-MO`, `pt-PT`, `en-GB`…
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "pt" => Some(Lang::Pt),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The OIDC `ui_locales` form (already picked by the domain); unknown → Chinese.
    pub fn from_tag(tag: Option<&str>) -> Lang {
        tag.and_then(Lang::parse).unwrap_or(Lang::Zh)
    }

    /// The first supported language of an `Accept-Language` header, by its q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.split(';');
                let lang = Lang::parse(bits.next()?)?;
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2)
    }

    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hant",
            Lang::Pt => "pt",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switcher.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::Zh => "繁體中文",
            Lang::Pt => "Português",
            Lang::En => "English",
        }
    }

    /// One of an e-service's or entity's three names, falling back to another when empty.
    pub fn pick<'a>(self, zh: &'a str, pt: &'a str, en: &'a str) -> &'a str {
        let order = match self {
            Lang::Zh => [zh, pt, en],
            Lang::Pt => [pt, zh, en],
            Lang::En => [en, pt, zh],
        };
        order.into_iter().find(|s| !s.trim().is_empty()).unwrap_or("")
    }
}

/// A message argument: numbers choose plural forms; text (even "007") stays as typed.
pub enum Arg {
    Number(f64),
    Text(String),
}

pub struct Catalogue {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

/// Every catalogue file, as `(lang folder, file name, text)`.
pub fn sources() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    crate::web::embedded::LOCALES.iter().filter_map(|(path, text)| {
        let (folder, file) = path.split_once('/')?;
        Some((folder, file, *text))
    })
}

fn build() -> Catalogue {
    let mut bundles = HashMap::new();
    for lang in Lang::ALL {
        let id: unic_langid::LanguageIdentifier = lang.html_lang().parse().expect("a valid tag");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Unicode isolation marks would end up inside form values and page titles.
        bundle.set_use_isolating(false);
        for (folder, file, text) in sources().filter(|(f, _, _)| *f == lang.html_lang()) {
            let resource = FluentResource::try_new(text.to_string())
                .unwrap_or_else(|(_, errs)| panic!("locales/{folder}/{file}: {errs:?}"));
            bundle.add_resource(resource).unwrap_or_else(|errs| panic!("locales/{folder}/{file}: {errs:?}"));
        }
        bundles.insert(lang, bundle);
    }
    Catalogue { bundles }
}

pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(build)
}

impl Catalogue {
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundles[&lang].has_message(key)
    }

    /// Every key of one language's catalogue.
    pub fn keys(&self, lang: Lang) -> Vec<String> {
        let wanted = lang.html_lang();
        let mut keys = Vec::new();
        for (_, _, text) in sources().filter(|(f, _, _)| *f == wanted) {
            let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, _)| r);
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    keys.push(m.id.name.to_string());
                }
            }
        }
        keys
    }

    /// The message, formatted with its arguments; a missing key shows itself (and a test
    /// makes sure none is missing).
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
        let bundle = &self.bundles[&lang];
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.html_lang(), "missing message");
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
                Arg::Text(t) => fluent_args.set(*name, FluentValue::from(t.clone())),
            }
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
    }
}

/// Shorthand for Rust code: `tr(lang, "login-title")`.
pub fn tr(lang: Lang, key: &str) -> String {
    catalogue().text(lang, key, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_tag() {
        assert_eq!(Lang::from_accept_language("fr-FR, pt-PT;q=0.8, en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("zh-MO,zh;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("pt-BR;q=0.5, de"), Some(Lang::Pt));
        assert_eq!(Lang::from_accept_language("en;q=0, fr"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn pick_falls_back_when_a_name_is_missing() {
        assert_eq!(Lang::En.pick("中文", "Português", ""), "Português");
        assert_eq!(Lang::Zh.pick("", "", "English"), "English");
    }
}
