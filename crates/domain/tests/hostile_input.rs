//! Hostile input against every parser of outside input in `domain` (issue 7, point 5):
//! entity and application numbers (ISO 7064 MOD 11,10 check digits), Macau mobiles, identity
//! documents, usernames (as chosen and as typed), the password policy and its NFKC
//! normalisation, one-time codes, bounded free text, registration numbers (R5's key),
//! OpenID Connect redirect URIs, `ui_locales`, TOTP codes, the enrolment QR payload (R23) and
//! sealed values.
//!
//! For each parser: arbitrary strings — any Unicode, control characters, NUL, bidi marks,
//! full-width and other non-ASCII digits, compatibility characters that NFKC expands, and
//! inputs of up to 70,000 characters — never panic; whatever is accepted is in canonical form
//! and parses again to the same value; generated valid values are accepted and round-trip;
//! where a check digit guarantees it, every single-character mutation is refused; the payload
//! opener refuses every mutation of a sealed payload. These are pure functions: no store, so
//! there is no SQLite or PostgreSQL variant.
//!
//! Short run (256 cases for each of the 34 properties, proptest's default; about 15 s):
//!   `CARGO_BUILD_JOBS=1 cargo test -p domain --test hostile_input`
//! Long run (100,000 cases a property, 3.4 million in all; about 40 minutes of one core on a
//! 2-core machine, most of it in the username, text and password properties):
//!   `PROPTEST_CASES=100000 CARGO_BUILD_JOBS=1 cargo test -p domain --test hostile_input -- --test-threads=2`
//! (`PROPTEST_CASES` sets the number of cases of every property; failures are not persisted
//! to files, the failing input is printed instead.)

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::application_form::registration_lookup;
use domain::codes::OneTimeCode;
use domain::credentials::{typed_password, typed_username, Password, PasswordPolicy, Username, PASSWORD_MAX_TYPED};
use domain::crypto::{Purpose, Vault};
use domain::eid::payload::{self, PayloadError, MIN_SECRET_BYTES};
use domain::eid::totp;
use domain::identity::{lookup_form, mask_number, IdDocument, IdDocumentType, MacauMobile};
use domain::model::EntityType;
use domain::numbers::{ApplicationNumber, EntityNumber};
use domain::oidc::authorize::pick_locale;
use domain::oidc::clients::parse_uri;
use domain::person::{parse_person, IdDocumentInput, PersonInput};
use domain::text::Text;
use proptest::prelude::*;
use proptest::test_runner::Config;
use unicode_normalization::{is_nfkc, UnicodeNormalization};
use x25519_dalek::{PublicKey, StaticSecret};

/// proptest's defaults (so `PROPTEST_CASES` sets the count), without regression files.
fn config() -> Config {
    Config { failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------

/// Characters that have broken parsers elsewhere: controls, NUL, bidi and zero-width marks,
/// odd spaces, digits of other scripts and widths, compatibility characters NFKC rewrites
/// (one of them into 18 characters), case-mapping oddities, combining marks, the separators
/// our formats use, and URI delimiters.
const HOSTILE: &[char] = &[
    '\0',
    '\u{1}',
    '\u{8}',
    '\t',
    '\n',
    '\r',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{9f}',
    '\u{a0}',
    '\u{ad}',
    '\u{200b}',
    '\u{200c}',
    '\u{200d}',
    '\u{200e}',
    '\u{200f}',
    '\u{202a}',
    '\u{202b}',
    '\u{202c}',
    '\u{202d}',
    '\u{202e}',
    '\u{2066}',
    '\u{2067}',
    '\u{2068}',
    '\u{2069}',
    '\u{2007}',
    '\u{2028}',
    '\u{2029}',
    '\u{3000}',
    '\u{feff}',
    '\u{fff9}',
    '\u{fffd}',
    '\u{ffff}',
    '\u{e000}',
    '\u{10ffff}',
    '０',
    '１',
    '５',
    '６',
    '７',
    '９',
    'Ａ',
    'ａ',
    '＋',
    '－',
    '（',
    '）',
    '／',
    '٠',
    '١',
    '٣',
    '۶',
    '०',
    '६',
    '߁',
    '𝟙',
    '𝟞',
    '①',
    '⑥',
    '²',
    '¹',
    '½',
    'Ⅵ',
    '\u{2010}',
    '\u{2011}',
    '\u{2012}',
    '\u{2013}',
    '\u{2212}',
    '\u{fe63}',
    '\u{fdfa}',
    '\u{fb2c}',
    '\u{1e9e}',
    'ß',
    'İ',
    'ı',
    'ſ',
    'ﬀ',
    'ﬃ',
    'Σ',
    'ς',
    'σ',
    '\u{212a}',
    '\u{212b}',
    'Ǆ',
    'ǅ',
    'ǆ',
    '\u{301}',
    '\u{308}',
    '\u{338}',
    '\u{345}',
    '\u{20dd}',
    '\u{1100}',
    '\u{1161}',
    '\u{11a8}',
    '陳',
    '大',
    '文',
    'é',
    'Ω',
    'Я',
    '😀',
    '👩',
    '\u{fe0f}',
    '(',
    ')',
    '/',
    '-',
    '+',
    '.',
    '_',
    ' ',
    '#',
    '@',
    ':',
    '%',
    '?',
    '&',
    '=',
    '[',
    ']',
    '\\',
    '"',
    '\'',
    '<',
    '>',
    '*',
    '0',
    '1',
    '5',
    '6',
    '7',
    '8',
    'A',
    'E',
    'I',
    'L',
    'O',
    'U',
    'a',
    'i',
    'l',
    'o',
    'u',
    'z',
];

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        4 => prop::sample::select(HOSTILE),
        3 => prop::char::range('0', '9'),
        1 => prop::char::range('A', 'Z'),
        1 => prop::char::range('a', 'z'),
    ]
}

/// Short strings mostly, now and then long ones and very long ones.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(hostile_char(), 0..24).prop_map(String::from_iter),
        2 => prop::collection::vec(hostile_char(), 24..400).prop_map(String::from_iter),
        1 => (prop::collection::vec(hostile_char(), 1..4), 1_000usize..70_000)
            .prop_map(|(cs, n)| cs.iter().cycle().take(n).collect()),
    ]
}

/// `valid`, with hostile characters inserted at random places.
fn garnished(valid: String) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<prop::sample::Index>(), hostile_char()), 0..4).prop_map(move |ins| {
        let mut cs: Vec<char> = valid.chars().collect();
        for (at, c) in ins {
            let i = at.index(cs.len() + 1);
            cs.insert(i, c);
        }
        cs.into_iter().collect()
    })
}

/// Whitespace and hyphens our number formats ignore.
fn separator() -> impl Strategy<Value = char> {
    prop::sample::select(vec![' ', '-', '\t', '\u{a0}', '\u{3000}', '\u{2009}'])
}

/// `s` with separators inserted at random places.
fn spaced(s: String) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<prop::sample::Index>(), separator()), 0..4).prop_map(move |ins| {
        let mut cs: Vec<char> = s.chars().collect();
        for (at, c) in ins {
            let i = at.index(cs.len() + 1);
            cs.insert(i, c);
        }
        cs.into_iter().collect()
    })
}

/// ISO 7064 MOD 11,10, written from the standard rather than copied from the product: a
/// string of digits is valid when the last step of the recurrence yields 1.
fn iso7064_valid(digits: &str) -> bool {
    let ds: Vec<u32> = digits.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let (last, body) = ds.split_last().unwrap();
    let mut p = 10;
    for d in body {
        let s = match (p + d) % 10 {
            0 => 10,
            s => s,
        };
        p = (2 * s) % 11;
    }
    (p + last) % 10 == 1
}

/// The check digit that makes `body` valid, found by trying the ten (the oracle above).
fn iso7064_complete(body: &str) -> String {
    (0..10).map(|d| format!("{body}{d}")).find(|s| iso7064_valid(s)).expect("one digit always completes")
}

/// Every single-character mutation of `s` that is not a no-op: each character replaced by
/// `with`, each character deleted, `with` inserted at each place.
fn single_mutations(s: &str, with: char) -> Vec<String> {
    let cs: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    for i in 0..cs.len() {
        if cs[i] != with {
            let mut m = cs.clone();
            m[i] = with;
            out.push(m.into_iter().collect());
        }
        let mut d = cs.clone();
        d.remove(i);
        out.push(d.into_iter().collect());
    }
    for i in 0..=cs.len() {
        let mut m = cs.clone();
        m.insert(i, with);
        out.push(m.into_iter().collect());
    }
    out
}

/// Characters a typo can bring into a number that the formats do not ignore.
fn not_a_separator(c: &char) -> bool {
    !c.is_whitespace() && *c != '-'
}

// ---------------------------------------------------------------------------------------
// Entity and application numbers
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn entity_number_parser_survives_hostile_input_and_accepts_only_canonical_numbers(raw in hostile_string()) {
        if let Ok(n) = EntityNumber::parse("entity_number", &raw) {
            prop_assert_eq!(n.as_str().len(), 8);
            prop_assert!(n.as_str().bytes().all(|b| b.is_ascii_digit()), "{:?}", n);
            prop_assert!(iso7064_valid(n.as_str()));
            prop_assert_eq!(EntityNumber::parse("entity_number", n.as_str()), Ok(n));
        }
    }

    #[test]
    fn entity_number_accepts_exactly_the_iso7064_valid_digit_strings(digits in "[0-9]{8}") {
        let parsed = EntityNumber::parse("entity_number", &digits);
        prop_assert_eq!(parsed.is_ok(), iso7064_valid(&digits), "{} {:?}", digits, parsed);
    }

    #[test]
    fn entity_number_valid_values_round_trip_in_any_spacing(
        typed in "[0-9]{7}".prop_map(|b| iso7064_complete(&b)).prop_flat_map(spaced),
    ) {
        let canonical: String = typed.chars().filter(char::is_ascii_digit).collect();
        let n = EntityNumber::parse("entity_number", &typed);
        prop_assert_eq!(n.as_ref().map(|n| n.as_str()), Ok(canonical.as_str()));
        prop_assert_eq!(EntityNumber::parse("e", n.unwrap().as_str()).unwrap().as_str().to_string(), canonical);
    }

    #[test]
    fn entity_numbers_from_the_sequence_parse_back(seq in 1i64..=8_999_999) {
        let n = EntityNumber::from_sequence(seq);
        prop_assert_eq!(EntityNumber::parse("entity_number", n.as_str()), Ok(n));
    }

    #[test]
    fn entity_number_every_single_character_mutation_is_refused(
        valid in "[0-9]{7}".prop_map(|b| iso7064_complete(&b)),
        with in hostile_char().prop_filter("separators are ignored by design", not_a_separator),
    ) {
        for m in single_mutations(&valid, with) {
            prop_assert!(EntityNumber::parse("entity_number", &m).is_err(), "{:?} from {}", m, valid);
        }
    }

    #[test]
    fn application_number_parser_survives_hostile_input_and_accepts_only_canonical_numbers(raw in hostile_string()) {
        if let Ok(n) = ApplicationNumber::parse("application_number", &raw) {
            let s = n.as_str();
            prop_assert!(s.len() == 10 && s.starts_with('A') && s[1..].bytes().all(|b| b.is_ascii_digit()), "{:?}", n);
            prop_assert!(iso7064_valid(&s[1..]));
            prop_assert_eq!(ApplicationNumber::parse("application_number", s), Ok(n.clone()));
            prop_assert_eq!(ApplicationNumber::parse("application_number", &s.to_lowercase()), Ok(n));
        }
    }

    #[test]
    fn application_number_accepts_exactly_the_iso7064_valid_digit_strings(digits in "[0-9]{9}") {
        let parsed = ApplicationNumber::parse("application_number", &format!("A{digits}"));
        prop_assert_eq!(parsed.is_ok(), iso7064_valid(&digits), "{} {:?}", digits, parsed);
    }

    #[test]
    fn application_number_valid_values_round_trip(
        typed in ("[aA]", "[0-9]{8}".prop_map(|b| iso7064_complete(&b))).prop_flat_map(|(a, d)| spaced(format!("{a}{d}"))),
        seq in 1i64..=89_999_999,
    ) {
        let canonical: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
        prop_assert_eq!(ApplicationNumber::parse("a", &typed).map(|n| n.as_str().to_string()), Ok(canonical));
        let n = ApplicationNumber::from_sequence(seq);
        prop_assert_eq!(ApplicationNumber::parse("a", n.as_str()), Ok(n));
    }

    #[test]
    fn application_number_every_single_character_mutation_is_refused(
        valid in "[0-9]{8}".prop_map(|b| format!("A{}", iso7064_complete(&b))),
        with in hostile_char().prop_filter("separators are ignored, case is folded", |c| not_a_separator(c) && *c != 'a'),
    ) {
        for m in single_mutations(&valid, with) {
            prop_assert!(ApplicationNumber::parse("application_number", &m).is_err(), "{:?} from {}", m, valid);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mobiles and identity documents
// ---------------------------------------------------------------------------------------

fn macau_mobile_typed() -> impl Strategy<Value = (String, String)> {
    ("6[0-9]{7}", prop::sample::select(vec!["", "+853", "00853", "+853 ", "00853-"]))
        .prop_flat_map(|(local, prefix)| (Just(format!("+853{local}")), spaced(format!("{prefix}{local}"))))
}

fn document_kind() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["macau_resident", "passport", "other"]).prop_map(str::to_string),
        1 => prop::sample::select(vec!["Passport", "PASSPORT", "macau_resident ", "", "bir", "other\0"])
            .prop_map(str::to_string),
        1 => hostile_string(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mobile_parser_survives_hostile_input_and_accepts_only_canonical_macau_mobiles(raw in hostile_string()) {
        if let Ok(m) = MacauMobile::parse("mobile", &raw) {
            let s = m.as_str();
            prop_assert!(s.len() == 12 && s.starts_with("+8536") && s[4..].bytes().all(|b| b.is_ascii_digit()), "{:?}", s);
            prop_assert_eq!(MacauMobile::parse("mobile", s).map(|m| m.as_str().to_string()), Ok(s.to_string()));
            let masked = m.masked();
            prop_assert!(!masked.contains(&s[5..10]), "r27: the mask hides the middle digits: {}", masked);
        }
    }

    #[test]
    fn mobile_valid_values_in_every_accepted_form_parse_to_one_canonical_value((canonical, typed) in macau_mobile_typed()) {
        prop_assert_eq!(MacauMobile::parse("mobile", &typed).map(|m| m.as_str().to_string()), Ok(canonical));
    }

    #[test]
    fn id_document_parser_survives_hostile_input_and_accepts_only_canonical_numbers(
        kind in document_kind(),
        number in prop_oneof![hostile_string(), "[157][0-9]{7}".prop_flat_map(garnished), "[A-Za-z0-9]{5,20}".prop_flat_map(garnished)],
    ) {
        if let Ok(d) = IdDocument::parse("id_document", &kind, &number) {
            let n = d.number();
            match d.kind() {
                IdDocumentType::MacauResident => {
                    prop_assert!(n.len() == 10 && n.ends_with(')') && &n[7..8] == "(", "{:?}", n);
                    prop_assert!(matches!(n.as_bytes()[0], b'1' | b'5' | b'7'));
                }
                _ => prop_assert!((5..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{:?}", n),
            }
            let again = IdDocument::parse("id_document", d.kind().as_str(), n);
            prop_assert_eq!(again.as_ref().ok(), Some(&d));
            // R12: the help form looks a document up by its number as typed, in lookup form.
            prop_assert_eq!(lookup_form(&number), lookup_form(n), "typed {:?}", number);
            let masked = d.masked_number();
            prop_assert!(masked.chars().filter(char::is_ascii_alphanumeric).count() <= 4, "r27: {}", masked);
            if n.len() >= 8 {
                prop_assert!(!format!("{d:?}").contains(&n[1..n.len() - 3]), "r27: Debug masks the number");
            }
        }
    }

    #[test]
    fn id_document_valid_values_round_trip(
        bir in ("[157][0-9]{6}", "[0-9]"),
        bir_form in 0usize..4,
        foreign in "[A-Za-z0-9]{5,20}".prop_flat_map(spaced),
        foreign_kind in prop::sample::select(vec!["passport", "other"]),
    ) {
        let (body, check) = bir;
        let typed = match bir_form {
            0 => format!("{body}({check})"),
            1 => format!("{body}{check}"),
            2 => format!("{}/{}/{check}", &body[..1], &body[1..]),
            _ => format!("{} {} ({check})", &body[..3], &body[3..]),
        };
        let d = IdDocument::parse("d", "macau_resident", &typed).unwrap();
        prop_assert_eq!(d.number(), format!("{body}({check})"));
        let f = IdDocument::parse("d", foreign_kind, &foreign).unwrap();
        let canonical: String = foreign.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
        prop_assert_eq!(f.number(), canonical.as_str());
    }

    #[test]
    fn masks_and_lookup_forms_survive_hostile_input(raw in hostile_string()) {
        let masked = mask_number(&raw);
        prop_assert_eq!(masked.chars().count(), raw.chars().count());
        let l = lookup_form(&raw);
        prop_assert!(l.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        prop_assert_eq!(lookup_form(&l), l);
    }

    #[test]
    fn a_person_on_an_application_survives_hostile_input(
        name in hostile_string(),
        kind in document_kind(),
        number in hostile_string(),
        mobile in prop::option::of(hostile_string()),
        needs_mobile in any::<bool>(),
    ) {
        let input = PersonInput { name, id_document: IdDocumentInput { kind, number }, mobile, document_shown: None };
        match parse_person("administrators[0]", &input, needs_mobile) {
            Ok(p) => {
                prop_assert_eq!(p.mobile.is_some(), input.mobile.is_some());
                prop_assert!(!p.name.as_str().is_empty());
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(e.field.starts_with("administrators[0]."), "{:?}", e);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Usernames and passwords (R11)
// ---------------------------------------------------------------------------------------

/// Usernames as people choose them: letters of several scripts, digits, `._-`.
fn username_chars() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('A', 'Z'),
        2 => prop::char::range('0', '9'),
        1 => prop::sample::select(vec!['.', '_', '-']),
        2 => prop::sample::select(vec!['陳', '大', '文', 'é', 'Ö', 'ñ', 'Ω', 'Я', 'ж', 'Ａ', 'ｚ', '１', 'ß', 'İ', 'ς', '가', '한']),
    ]
}

fn chosen_username() -> impl Strategy<Value = String> {
    prop::collection::vec(username_chars(), 3..=32).prop_map(String::from_iter)
}

/// Usernames of Korean syllables and accented letters: one character each once composed,
/// two or three when typed decomposed (NFD, as some keyboards and macOS send them).
fn composed_username() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!['한', '국', '어', '가', 'é', 'ệ', 'ở', 'ñ']), 3..=32)
        .prop_map(|cs| cs.into_iter().collect::<String>().nfd().collect())
}

/// Usernames of letters that change case without surprises, and `ß`, whose capital is `SS`.
fn case_pairs() -> impl Strategy<Value = (String, String)> {
    let piece = prop_oneof![
        4 => prop::char::range('a', 'z').prop_map(|c| (c.to_string(), c.to_uppercase().to_string())),
        1 => prop::sample::select(vec!['é', 'ö', 'ñ', 'ω', 'я', 'ж', 'α', 'ç'])
            .prop_map(|c| (c.to_string(), c.to_uppercase().to_string())),
        1 => prop::sample::select(vec!["SS", "ss", "Ss", "\u{1e9e}"]).prop_map(|up| ("ß".to_string(), up.to_string())),
        1 => prop::char::range('0', '9').prop_map(|c| (c.to_string(), c.to_string())),
    ];
    prop::collection::vec((piece, any::<bool>()), 3..=16).prop_map(|ps| {
        let mut a = String::new();
        let mut b = String::new();
        for ((lower, upper), up) in ps {
            a.push_str(&lower);
            b.push_str(if up { &upper } else { &lower });
        }
        (a, b)
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn username_parser_survives_hostile_input_and_accepts_only_canonical_names(raw in hostile_string()) {
        if let Ok(u) = Username::parse("username", &raw) {
            let s = u.as_str();
            prop_assert!(is_nfkc(s), "{:?}", s);
            prop_assert_eq!(s.trim(), s);
            prop_assert!((3..=32).contains(&s.chars().count()));
            prop_assert!(s.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)), "{:?}", s);
            prop_assert_eq!(u.key(), Username::key_of(s));
            prop_assert_eq!(Username::parse("username", s), Ok(u.clone()));
        }
    }

    #[test]
    fn username_keys_are_stable(raw in hostile_string()) {
        let k = Username::key_of(&raw);
        prop_assert_eq!(Username::key_of(&k), k.clone(), "the key of a key is itself");
        prop_assert_eq!(Username::key_of(&raw.nfd().collect::<String>()), k, "canonically equivalent input, same key");
    }

    /// R11/R13: a chosen username is found at sign-in when typed as it was chosen, as it is
    /// shown, or in canonically equivalent form (decomposed, as some keyboards send it).
    #[test]
    fn r11_a_chosen_username_is_found_when_typed_again(
        raw in (prop_oneof![chosen_username(), composed_username()], " {0,2}", " {0,2}")
            .prop_map(|(u, a, b)| format!("{a}{u}{b}")),
    ) {
        let Ok(u) = Username::parse("username", &raw) else { return Ok(()) };
        for typed in [raw.clone(), u.as_str().to_string(), u.as_str().nfd().collect::<String>()] {
            prop_assert_eq!(typed_username("username", &typed), Ok(u.key().to_string()), "typed {:?}", typed);
        }
    }

    /// R11: usernames are compared case-insensitively, in Unicode's sense (caseless
    /// matching: `ß` and `SS` are the same name).
    #[test]
    fn r11_usernames_differing_only_in_case_share_one_key((lower, other_case) in case_pairs()) {
        let a = Username::parse("username", &lower).unwrap();
        let b = Username::parse("username", &other_case).unwrap();
        prop_assert_eq!(a.key(), b.key(), "{:?} and {:?}", lower, other_case);
    }

    #[test]
    fn typed_username_survives_hostile_input(raw in hostile_string()) {
        if let Ok(key) = typed_username("username", &raw) {
            prop_assert_eq!(key, Username::key_of(&raw));
            prop_assert!(!raw.chars().any(char::is_control));
        }
    }

    /// R11: new passwords are NFKC-normalised, and a password typed at sign-in is normalised
    /// the same way, so a password that was accepted always signs in when typed again, in
    /// any canonically equivalent form.
    #[test]
    fn r11_password_policy_survives_hostile_input_and_normalises_like_sign_in(
        raw in prop_oneof![hostile_string(), prop::collection::vec(hostile_char(), 15..120).prop_map(String::from_iter)],
        context in prop::collection::vec(hostile_string(), 0..3),
    ) {
        let policy = PasswordPolicy::default();
        let ctx: Vec<&str> = context.iter().map(String::as_str).collect();
        let n = raw.nfkc().count();
        match policy.check("password", &raw, &ctx) {
            Ok(pw) => {
                prop_assert!((policy.min_chars..=policy.max_chars).contains(&n));
                let nfkc: String = raw.nfkc().collect();
                prop_assert_eq!(pw.expose(), nfkc.as_str());
                prop_assert_eq!(Password::for_login(&raw).expose().to_string(), pw.expose());
                prop_assert_eq!(Password::for_login(&raw.nfd().collect::<String>()).expose().to_string(), pw.expose());
                let typed = typed_password("password", &raw);
                prop_assert_eq!(typed.map(|p| p.expose().to_string()), Ok(nfkc), "an accepted password can be typed");
            }
            Err(e) => {
                prop_assert_eq!(e.field.as_str(), "password");
                if n < policy.min_chars {
                    prop_assert_eq!(e.code, "password_too_short");
                }
                if n > policy.max_chars {
                    prop_assert_eq!(e.code, "password_too_long");
                }
            }
        }
    }

    #[test]
    fn typed_password_survives_hostile_input(raw in hostile_string()) {
        match typed_password("password", &raw) {
            Ok(p) => {
                prop_assert!((1..=PASSWORD_MAX_TYPED).contains(&raw.chars().count()));
                prop_assert!(is_nfkc(p.expose()));
                prop_assert_eq!(Password::for_login(p.expose()).expose().to_string(), p.expose(), "normalising twice changes nothing");
            }
            Err(e) => prop_assert!(raw.is_empty() || raw.chars().count() > PASSWORD_MAX_TYPED, "{:?}", e),
        }
    }
}

/// The policy's cost on the longest passwords it examines: zxcvbn runs on whatever passes
/// the length check (activation and password reset, after the code is checked — a refused
/// password does not spend the code, so one code buys any number of tries). Hostile shapes of
/// up to 256 characters (the default maximum) must not hold a runtime thread for a second.
#[test]
fn r11_password_policy_is_fast_on_the_longest_hostile_passwords() {
    let policy = PasswordPolicy::default();
    let printable: String = (0..256).map(|i| char::from(b'!' + (i % 94) as u8)).collect();
    let shapes: Vec<(&str, String)> = vec![
        ("one letter ×256", "a".repeat(256)),
        ("ab ×128", "ab".repeat(128)),
        ("digits 0-9 ×26", "1234567890".repeat(26)[..256].to_string()),
        ("keyboard row ×26", "qwertyuiop".repeat(26)[..256].to_string()),
        ("password ×32", "password".repeat(32)),
        ("a date ×32", "19700101".repeat(32)),
        ("p@ssw0rd ×32", "p@ssw0rd".repeat(32)),
        ("printable ASCII in order, 64", printable[..64].to_string()),
        ("printable ASCII in order, 256", printable.clone()),
        ("l33t characters, 64", "4@8({[<36919!|70$5+7%2".repeat(12)[..64].to_string()),
        ("l33t characters, 256", "4@8({[<36919!|70$5+7%2".repeat(12)[..256].to_string()),
        ("l33t words, 256", "p4$$w0rd|!1 tr0ub4dor&3 l3tm31n! ".repeat(8)[..256].to_string()),
        ("Chinese ×85", "陳大文".repeat(85)),
        ("U+FDFA ×14 (NFKC: 252)", "\u{fdfa}".repeat(14)),
        ("a pass phrase, 256", "correct horse battery staple ".repeat(9)[..256].to_string()),
    ];
    let mut slow = Vec::new();
    for (name, s) in &shapes {
        let t = Instant::now();
        let verdict = policy
            .check("password", s, &["chantaiman", "陳大文有限公司"])
            .map(|_| "accepted")
            .unwrap_or_else(|e| e.code.as_str());
        let took = t.elapsed();
        eprintln!("{took:>12.3?}  {name} → {verdict}");
        if took > Duration::from_secs(1) {
            slow.push(format!("{name}: {took:.1?}"));
        }
    }
    assert!(slow.is_empty(), "password checks that hold a thread for seconds: {slow:?}");
}

// ---------------------------------------------------------------------------------------
// One-time codes (R9, R12), free text, registration numbers (R5)
// ---------------------------------------------------------------------------------------

const CODE_ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn one_time_code_parser_survives_hostile_input_and_accepts_only_canonical_codes(raw in hostile_string()) {
        if let Ok(c) = OneTimeCode::parse("activation_code", &raw) {
            let s = c.expose();
            prop_assert!(s.len() == 10 && s.chars().all(|ch| CODE_ALPHABET.contains(ch)), "{:?}", s);
            prop_assert_eq!(OneTimeCode::parse("c", s).unwrap().expose().to_string(), s);
            prop_assert_eq!(OneTimeCode::parse("c", &c.display()).unwrap().expose().to_string(), s);
            prop_assert!(!format!("{c:?}").contains(s), "a code never prints");
        }
    }

    #[test]
    fn r9_generated_codes_are_accepted_as_people_type_them(
        lower in any::<bool>(),
        dash in any::<bool>(),
        lookalikes in any::<bool>(),
        ws in prop::sample::select(vec!["", " ", "\u{3000}", "\t"]),
    ) {
        let c = OneTimeCode::generate();
        prop_assert!(c.expose().len() == 10 && c.expose().chars().all(|ch| CODE_ALPHABET.contains(ch)));
        let mut typed = if dash { c.display() } else { c.expose().to_string() };
        if lookalikes {
            typed = typed.replace('0', "o").replace('1', "l");
        }
        if lower {
            typed = typed.to_lowercase();
        }
        let typed = format!("{ws}{typed}{ws}");
        prop_assert_eq!(OneTimeCode::parse("c", &typed).unwrap().expose().to_string(), c.expose(), "typed {:?}", typed);
    }

    /// Codes carry no check digit, so a mistyped code may name another code; but a typo
    /// outside the alphabet (U, accented letters, full-width forms) is always refused.
    #[test]
    fn r9_a_code_with_a_character_outside_the_alphabet_is_refused(
        at in any::<prop::sample::Index>(),
        with in prop_oneof![
            // Typos a person makes, and characters of other scripts and widths.
            prop::sample::select(vec![
                'U', 'u', 'ü', 'Ü', 'é', 'ß', 'İ', 'ı', '０', '１', 'Ａ', 'ｏ', '!', '@', '.', '_', '+', '/', '\0',
                '\u{202e}', '\u{200b}', '陳', '😀',
            ]),
            // Anything else (a filter on all of Unicode rejects almost nothing, at any count).
            any::<char>().prop_filter("outside the alphabet and its lookalikes", |c| {
                let u = c.to_ascii_uppercase();
                !c.is_whitespace() && *c != '-' && !CODE_ALPHABET.contains(u) && !"OIL".contains(u)
            }),
        ],
    ) {
        let c = OneTimeCode::generate();
        let mut cs: Vec<char> = c.expose().chars().collect();
        cs[at.index(10)] = with;
        let typo: String = cs.into_iter().collect();
        prop_assert!(OneTimeCode::parse("c", &typo).is_err(), "{:?}", typo);
    }

    #[test]
    fn text_parser_survives_hostile_input_and_stores_what_a_clerk_would_type_again(
        raw in hostile_string(),
        max in prop::sample::select(vec![1usize, 40, 200, 2000]),
    ) {
        match Text::parse("name", &raw, max) {
            Ok(t) => {
                let s = t.as_str();
                prop_assert!(!s.is_empty() && s.chars().count() <= max);
                prop_assert!(is_nfkc(s), "{:?}", s);
                prop_assert_eq!(s.trim(), s);
                prop_assert!(!s.chars().any(char::is_control), "{:?}", s);
                prop_assert_eq!(Text::parse("name", s, max), Ok(t.clone()), "idempotent");
            }
            Err(e) => prop_assert!(["required", "too_long", "invalid"].contains(&e.code.as_str()), "{:?}", e),
        }
        match Text::parse_opt("name", Some(&raw), max) {
            Ok(None) => prop_assert!(raw.trim().is_empty()),
            Ok(Some(t)) => prop_assert_eq!(Text::parse("name", &raw, max), Ok(t)),
            Err(_) => prop_assert!(Text::parse("name", &raw, max).is_err()),
        }
    }

    /// R5: one entity, one account, "whatever the spacing or case it was typed in": the
    /// registration number's key is the same for every way of typing it (case, spaces,
    /// hyphens, slashes, full-width forms from a Chinese keyboard).
    #[test]
    fn r5_registration_number_key_ignores_spacing_case_and_width(
        reg in "[A-Z0-9]{1,12}",
        lower in any::<bool>(),
        full_width in any::<bool>(),
        seps in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![' ', '-', '/', '.', '\u{3000}'])), 0..3),
        kind in prop::sample::select(EntityType::ALL),
    ) {
        let vault = Vault::new(&[9u8; 32]).unwrap();
        let mut cs: Vec<char> = reg.chars().collect();
        if lower {
            cs = cs.into_iter().map(|c| c.to_ascii_lowercase()).collect();
        }
        if full_width {
            cs = cs.into_iter().map(|c| char::from_u32(c as u32 - 0x21 + 0xff01).unwrap()).collect();
        }
        for (at, s) in seps {
            let i = at.index(cs.len() + 1);
            cs.insert(i, s);
        }
        let typed: String = cs.into_iter().collect();
        let Ok(t) = Text::parse("registration_number", &typed, 50) else {
            return Err(TestCaseError::fail(format!("{typed:?} refused")));
        };
        prop_assert_eq!(
            registration_lookup(&vault, kind, t.as_str()),
            registration_lookup(&vault, kind, &reg),
            "typed {:?}", typed
        );
    }
}

// ---------------------------------------------------------------------------------------
// OpenID Connect redirect URIs, ui_locales
// ---------------------------------------------------------------------------------------

fn uri_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["https", "http", "HTTPS", "javascript", "data", "", "https:", "ftp"]);
    let host = prop_oneof![
        prop::sample::select(vec![
            "rp.example",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "user:pw@rp.example",
            "@rp.example",
            "rp.example:8443",
            "[::1]:8080",
            "",
            "[::1",
            "[::1]evil.example",
            "localhost:abc",
            "127.0.0.1:80:evil.example",
        ])
        .prop_map(str::to_string),
        hostile_string(),
    ];
    let rest = prop_oneof![
        prop::sample::select(vec!["", "/", "/cb", "/cb?x=1", "/cb#frag", "?a=b", "#", "/a b", "/\u{202e}"])
            .prop_map(str::to_string),
        hostile_string(),
    ];
    (scheme, host, rest).prop_map(|(s, h, r)| format!("{s}://{h}{r}"))
}

proptest! {
    #![proptest_config(config())]

    /// RFC 9700: only absolute `https` URIs (or `http` on a loopback host), without
    /// credentials, fragments or spaces, are registered, and exactly as given.
    #[test]
    fn redirect_uri_parser_survives_hostile_input_and_accepts_only_safe_uris(raw in prop_oneof![uri_like(), hostile_string()]) {
        if let Ok(u) = parse_uri("oidc.redirect_uris[0]", &raw) {
            prop_assert_eq!(&u, &raw, "registered byte for byte");
            prop_assert!(!u.chars().any(|c| c.is_whitespace() || c.is_control() || c == '#'), "{:?}", u);
            let (scheme, rest) = u.split_once("://").unwrap();
            let authority = rest.split(['/', '?', '#']).next().unwrap();
            prop_assert!(!authority.is_empty() && !authority.contains('@'), "{:?}", u);
            if scheme == "http" {
                let host = authority.rsplit_once(':').filter(|(h, p)| !h.ends_with('[') && p.bytes().all(|b| b.is_ascii_digit()))
                    .map_or(authority, |(h, _)| h);
                prop_assert!(["127.0.0.1", "localhost", "[::1]"].contains(&host), "plain http off loopback: {:?}", u);
            } else {
                prop_assert_eq!(scheme, "https");
            }
            prop_assert_eq!(parse_uri("f", &u), Ok(u.clone()));
        }
    }

    #[test]
    fn ui_locales_survive_hostile_input(raw in hostile_string()) {
        if let Some(l) = pick_locale(&raw) {
            prop_assert!(["zh-Hant", "pt", "en"].contains(&l));
        }
    }
}

// ---------------------------------------------------------------------------------------
// TOTP codes (R24), the enrolment QR payload (R23), sealed values
// ---------------------------------------------------------------------------------------

fn server_secret(seed: [u8; 32]) -> StaticSecret {
    StaticSecret::from(seed)
}

fn enrolment_id() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", "[A-Za-z0-9_-]{1,64}"]
}

/// A payload shaped like ours, with hostile parts.
fn payload_like() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        2 => hostile_string(),
        2 => prop::collection::vec(any::<u8>(), 0..120).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        1 => Just(String::new()),
    ];
    (prop::sample::select(vec!["EA1", "EA2", "ea1", "", " EA1"]), prop::collection::vec(part, 0..6))
        .prop_map(|(p, parts)| std::iter::once(p.to_string()).chain(parts).collect::<Vec<_>>().join("."))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn r24_totp_codes_survive_hostile_input_and_a_mistyped_code_never_matches_its_step(
        secret in prop::collection::vec(any::<u8>(), 0..64),
        code in hostile_string(),
        now in 0u64..4_000_000_000,
        last in prop::option::of(-5i64..200_000_000),
        at in 0usize..6,
        delta in 1u32..10,
    ) {
        if let Some(step) = totp::matching_step(&secret, &code, now, last) {
            prop_assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{:?}", code);
            prop_assert!((step - (now / 30) as i64).abs() <= 1);
            prop_assert!(last.is_none_or(|l| step > l));
        }
        let good = totp::code_at(&secret, now);
        if good.len() == 6 {
            let now_step = (now / 30) as i64;
            prop_assert_eq!(totp::matching_step(&secret, &good, now, None), Some(now_step));
            let mut cs: Vec<char> = good.chars().collect();
            cs[at] = char::from_digit((cs[at].to_digit(10).unwrap() + delta) % 10, 10).unwrap();
            let typo: String = cs.into_iter().collect();
            prop_assert_ne!(totp::matching_step(&secret, &typo, now, None), Some(now_step));
        }
    }

    #[test]
    fn r23_payload_opener_survives_hostile_input(
        seed in any::<[u8; 32]>(),
        raw in prop_oneof![payload_like(), hostile_string()],
    ) {
        let server = server_secret(seed);
        if let Ok(id) = payload::enrolment_id(&raw) {
            prop_assert!(!id.is_empty() && id.len() <= 64 && !id.contains('.'));
        }
        prop_assert!(payload::open(&server, &raw).is_err(), "only a sealed payload opens: {:?}", raw);
        let _ = payload::decode_key(&raw);
    }

    #[test]
    fn r23_sealed_payloads_open_with_the_server_key_and_name_their_enrolment(
        seed in any::<[u8; 32]>(),
        id in enrolment_id(),
        secret in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let server = server_secret(seed);
        let p = payload::seal(&PublicKey::from(&server), &id, &secret);
        prop_assert_eq!(payload::enrolment_id(&p), Ok(id.as_str()));
        let scanned = format!("  {p}\n");
        prop_assert_eq!(payload::enrolment_id(&scanned), Ok(id.as_str()), "as scanned, with whitespace");
        match payload::open(&server, &p) {
            Ok(pt) => {
                prop_assert!(secret.len() >= MIN_SECRET_BYTES);
                prop_assert_eq!(pt.as_slice(), secret.as_slice());
            }
            Err(e) => {
                prop_assert!(secret.len() < MIN_SECRET_BYTES, "{:?}", e);
                prop_assert_eq!(e, PayloadError::WeakSecret);
            }
        }
        let other = server_secret([seed[0] ^ 1; 32]);
        prop_assert!(payload::open(&other, &p).is_err());
    }

    /// R23: any change to a sealed payload — a character replaced, deleted or inserted
    /// anywhere, or its parts moved between payloads — is refused, never opened to
    /// another secret; only whitespace around it (as a scanner may add) is ignored.
    #[test]
    fn r23_every_mutation_of_a_sealed_payload_is_refused(
        seed in any::<[u8; 32]>(),
        id in enrolment_id(),
        secret in prop::collection::vec(any::<u8>(), MIN_SECRET_BYTES..48),
        at in any::<prop::sample::Index>(),
        how in 0u8..3,
        with in prop_oneof![hostile_char(), prop::sample::select(vec!['A', 'B', 'g', 'Q', '_', '-', '.', '0', '='])],
        other_id in enrolment_id(),
    ) {
        let server = server_secret(seed);
        let key = PublicKey::from(&server);
        let p = payload::seal(&key, &id, &secret);
        let mut cs: Vec<char> = p.chars().collect();
        let i = at.index(cs.len());
        match how {
            0 => cs[i] = with,
            1 => {
                cs.remove(i);
            }
            _ => cs.insert(i, with),
        }
        let mutated: String = cs.into_iter().collect();
        if mutated.trim() != p {
            prop_assert!(payload::open(&server, &mutated).is_err(), "opened {:?}", mutated);
        }
        // Splices: the id of one enrolment on another's sealed body.
        let q = payload::seal(&key, &other_id, &secret);
        let (pp, qp): (Vec<&str>, Vec<&str>) = (p.split('.').collect(), q.split('.').collect());
        for (j, part) in qp.iter().enumerate().skip(1) {
            let mut spliced = pp.clone();
            spliced[j] = part;
            let spliced = spliced.join(".");
            if spliced != p && spliced != q {
                prop_assert!(payload::open(&server, &spliced).is_err(), "spliced part {} opened", j);
            }
        }
    }

    /// Values sealed under the master key (mobiles, identity numbers, SMS, TOTP secrets) never
    /// open when tampered with, nor under another purpose or owner.
    #[test]
    fn sealed_values_refuse_every_tampering(
        plaintext in hostile_string(),
        owner in "[a-z0-9-]{0,36}",
        flip_at in any::<prop::sample::Index>(),
        bit in 0u8..8,
        garbage in prop::collection::vec(any::<u8>(), 0..80),
    ) {
        let vault = Vault::new(&[7u8; 32]).unwrap();
        let sealed = vault.seal_for(Purpose::IdNumber, &owner, &plaintext);
        prop_assert_eq!(vault.open_for(Purpose::IdNumber, &owner, &sealed).ok(), Some(plaintext.clone()));
        let mut t = sealed.clone();
        let i = flip_at.index(t.len());
        t[i] ^= 1 << bit;
        prop_assert!(vault.open_for(Purpose::IdNumber, &owner, &t).is_err());
        prop_assert!(vault.open_for(Purpose::Mobile, &owner, &sealed).is_err());
        let other_owner = format!("{owner}x");
        prop_assert!(vault.open_for(Purpose::IdNumber, &other_owner, &sealed).is_err());
        prop_assert!(vault.open_for(Purpose::IdNumber, &owner, &sealed[..sealed.len() - 1]).is_err());
        prop_assert!(vault.open(Purpose::SmsPayload, &garbage).is_err());
    }
}

/// Every position of one sealed payload, each replaced by every character of its alphabets
/// and a few others: none opens (the exhaustive companion of the sampled property above).
#[test]
fn r23_payload_exhaustive_single_character_replacements_are_refused() {
    let server = server_secret([3u8; 32]);
    let p = payload::seal(&PublicKey::from(&server), "0b1c2d3e-0000-4000-8000-123456789abc", &[5u8; 20]);
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u{0}\u{202e}é".chars().collect();
    let cs: Vec<char> = p.chars().collect();
    let mut tried = 0;
    for i in 0..cs.len() {
        for &c in &alphabet {
            if c == cs[i] {
                continue;
            }
            let mut m = cs.clone();
            m[i] = c;
            let m: String = m.into_iter().collect();
            if m.trim() == p {
                continue;
            }
            tried += 1;
            assert!(payload::open(&server, &m).is_err(), "position {i} → {c:?} opened");
        }
    }
    eprintln!("{tried} single-character replacements of one payload, all refused");
}

proptest! {
    #![proptest_config(config())]

    /// R34: a mandate's offer, whatever is typed, parses or names its faults; what parses
    /// names a well-formed entity number, at least one e-service code none twice, and an end
    /// after now and within two years.
    #[test]
    fn r34_a_mandate_offer_survives_hostile_input_and_parses_only_within_its_limits(
        number in prop_oneof![hostile_string(), "[0-9]{8}"],
        codes in prop::collection::vec(prop_oneof![hostile_string(), "[a-z0-9_-]{2,10}"], 0..4),
        until in prop_oneof![hostile_string(), "20[0-9]{2}-[01][0-9]-[0-3][0-9]"],
    ) {
        let now = domain::clock::Timestamp(1_790_000_000_000_000);
        let input = domain::mandate_form::MandateInput { to_entity_number: number, eservices: codes, valid_until: until };
        let mut f = domain::error::Fields::default();
        match input.parse(now, &mut f) {
            Some(p) => {
                prop_assert!(f.is_empty());
                prop_assert!(domain::numbers::EntityNumber::parse("n", p.to_entity_number.as_str()).is_ok());
                prop_assert!(!p.eservices.is_empty());
                let unique: std::collections::BTreeSet<_> = p.eservices.iter().collect();
                prop_assert_eq!(unique.len(), p.eservices.len());
                prop_assert!(p.valid_until > now);
                prop_assert!(p.valid_until <= now.plus_secs(domain::mandate_form::MANDATE_MAX_SECS));
            }
            None => prop_assert!(!f.is_empty(), "a refusal names its field"),
        }
    }
}

/// A JWK-shaped object whose members are hostile or plausible: the parse must hold either way.
fn jwk_like() -> impl Strategy<Value = String> {
    let member = prop_oneof![
        Just("kty"),
        Just("crv"),
        Just("x"),
        Just("y"),
        Just("n"),
        Just("e"),
        Just("d"),
        Just("alg"),
        Just("use"),
        Just("kid"),
        Just("keys")
    ];
    let value = prop_oneof![
        hostile_string(),
        Just("EC".to_string()),
        Just("RSA".to_string()),
        Just("P-256".to_string()),
        Just("ES256".to_string()),
        Just("RS256".to_string()),
        Just("none".to_string()),
        "[A-Za-z0-9_-]{0,400}",
    ];
    prop::collection::vec((member, value), 0..8).prop_map(|pairs| {
        let m: serde_json::Map<String, serde_json::Value> =
            pairs.into_iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v))).collect();
        serde_json::Value::Object(m).to_string()
    })
}

proptest! {
    #![proptest_config(config())]

    /// R36: a machine credential's public key, whatever is pasted, parses or names `jwk`;
    /// what parses is a public EC P-256 or RSA key with no private member, re-serialised.
    #[test]
    fn r36_a_jwk_survives_hostile_input_and_parses_only_as_a_public_key(
        raw in prop_oneof![hostile_string(), jwk_like()],
    ) {
        match domain::machine_credential_form::parse_jwk("jwk", &raw) {
            Ok(k) => {
                let v: serde_json::Value = serde_json::from_str(&k.json).unwrap();
                prop_assert!(v["kty"] == "EC" || v["kty"] == "RSA");
                for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
                    prop_assert!(v.get(private).is_none());
                }
            }
            Err(e) => {
                prop_assert_eq!(e.field.as_str(), "jwk");
                prop_assert_eq!(e.code, domain::Code::InvalidJwk);
            }
        }
    }

    /// R36: a machine credential's form, whatever is typed, parses or names its faults; what
    /// parses has e-services or the provisioning right, none twice, and an end within two years.
    #[test]
    fn r36_a_machine_credential_form_survives_hostile_input(
        name in prop_oneof![hostile_string(), "[A-Za-z ]{1,20}"],
        codes in prop::collection::vec(prop_oneof![hostile_string(), "[a-z0-9_-]{2,10}"], 0..4),
        provisioning in any::<bool>(),
        until in prop_oneof![hostile_string(), "20[0-9]{2}-[01][0-9]-[0-3][0-9]"],
    ) {
        let now = domain::clock::Timestamp(1_790_000_000_000_000);
        let input = domain::machine_credential_form::MachineCredentialInput {
            name, eservices: codes, provisioning, valid_until: until, jwk: None,
        };
        let mut f = domain::error::Fields::default();
        match input.parse(now, &mut f) {
            Some(p) => {
                prop_assert!(f.is_empty());
                prop_assert!(p.provisioning || !p.eservices.is_empty());
                let unique: std::collections::BTreeSet<_> = p.eservices.iter().collect();
                prop_assert_eq!(unique.len(), p.eservices.len());
                prop_assert!(p.valid_until > now);
                prop_assert!(p.valid_until <= now.plus_secs(domain::mandate_form::MANDATE_MAX_SECS));
            }
            None => prop_assert!(!f.is_empty(), "a refusal names its field"),
        }
    }
}
