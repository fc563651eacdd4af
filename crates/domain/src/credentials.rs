//! Usernames and passwords as R11 defines them: usernames unique per entity after NFKC and
//! case folding; passwords per NIST SP 800-63B rev 4 (length, blocklist, context words — no
//! composition rules), normalised with NFKC before hashing.

use crate::error::FieldError;
use crate::Code;
use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::UnicodeNormalization;

/// A username as chosen (NFKC), with the key it is compared by (NFKC + lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: String,
}

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let display: String = raw.nfkc().collect::<String>().trim().to_string();
        let n = display.chars().count();
        if !(3..=32).contains(&n) {
            return Err(FieldError::new(field, Code::InvalidUsername, "a username has 3 to 32 characters"));
        }
        if !display.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) {
            return Err(FieldError::new(
                field,
                Code::InvalidUsername,
                "a username has letters, digits, dots, hyphens and underscores only",
            ));
        }
        Ok(Username { key: Self::key_of(&display), display })
    }
    /// The comparison key of any typed username, valid or not (for login lookups): NFKC,
    /// then Unicode case folding (`ß` and `SS` are one name), then NFKC again.
    pub fn key_of(raw: &str) -> String {
        fold_key(raw.nfkc().collect::<String>().trim())
    }
    pub fn from_stored(display: String) -> Self {
        Username { key: Self::key_of(&display), display }
    }
    pub fn as_str(&self) -> &str {
        &self.display
    }
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Text as case-insensitive comparisons see it, untrimmed: NFKC, case folding, NFKC (the
/// username key, and what SCIM filters compare names by).
pub fn fold_key(raw: &str) -> String {
    fold_case(&raw.nfkc().collect::<String>()).nfkc().collect()
}

/// Full case folding for what NFKC leaves to it: lower case, except where folding differs
/// (CaseFolding.txt): `ß` (and `ẞ`, whose lower case it is) folds to `ss`, final `ς` to `σ`.
fn fold_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        match c {
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c => out.push(c),
        }
    }
    out
}

/// No login has a longer name or password: refusing longer ones at sign-in spends no hash
/// on them and says nothing about any account.
pub const USERNAME_MAX_TYPED: usize = 64;
pub const PASSWORD_MAX_TYPED: usize = 1024;
/// How much of a new password zxcvbn judges (see `PasswordPolicy::check`).
const ZXCVBN_CHARS: usize = 32;

/// A username as typed at sign-in or in a help form: not held to the naming rules (they
/// may have changed since it was chosen), only present, bounded and free of control
/// characters. Returns the key it is compared by.
pub fn typed_username(field: &str, raw: &str) -> Result<String, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, Code::Required, "must not be empty"));
    }
    // Counted once composed: a name typed decomposed (as some keyboards send Hangul or
    // accents) is the name that was chosen. The raw bound keeps normalising cheap.
    let too_long = raw.chars().count() > 4 * USERNAME_MAX_TYPED || raw.nfkc().count() > USERNAME_MAX_TYPED;
    if too_long || raw.chars().any(char::is_control) {
        return Err(FieldError::new(field, Code::InvalidUsername, "at most 64 characters, no control characters"));
    }
    Ok(Username::key_of(raw))
}

/// A password as typed at sign-in: present and bounded.
pub fn typed_password(field: &str, raw: &str) -> Result<Password, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new(field, Code::Required, "must not be empty"));
    }
    if raw.chars().count() > PASSWORD_MAX_TYPED {
        return Err(FieldError::new(field, Code::TooLong, "at most 1024 characters"));
    }
    Ok(Password::for_login(raw))
}

#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy { min_chars: 15, max_chars: 256 }
    }
}

/// A password that met the policy, NFKC-normalised. Only the hasher ever sees its text.
pub struct Password(SecretString);

impl Password {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
    /// A typed password for a login attempt: normalised like a new one, never policy-checked
    /// (the policy may have changed since it was chosen).
    pub fn for_login(raw: &str) -> Password {
        Password(SecretString::from(raw.nfkc().collect::<String>()))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

static BLOCKLIST: &str = include_str!("blocklist.txt");

impl PasswordPolicy {
    /// The checks that need no context (length), done before anything is looked up, so a
    /// request that can never succeed spends no code try and leaves no trace.
    pub fn check_length(&self, field: &str, raw: &str) -> Result<(), FieldError> {
        let n = raw.nfkc().count();
        if n < self.min_chars {
            return Err(FieldError::new(
                field,
                Code::PasswordTooShort,
                format!("a password has at least {} characters", self.min_chars),
            ));
        }
        if n > self.max_chars {
            return Err(FieldError::new(
                field,
                Code::PasswordTooLong,
                format!("a password has at most {} characters", self.max_chars),
            ));
        }
        Ok(())
    }

    /// Checks a new password against R11. `context` holds the username and the entity's
    /// names: a password containing one of them is refused.
    pub fn check(&self, field: &str, raw: &str, context: &[&str]) -> Result<Password, FieldError> {
        self.check_length(field, raw)?;
        let pw: String = raw.nfkc().collect();
        let folded = pw.to_lowercase();
        if is_blocklisted(&folded) {
            return Err(FieldError::new(
                field,
                Code::PasswordBlocklisted,
                "this password is common or known from breaches; choose another",
            ));
        }
        for word in context {
            let w = Username::key_of(word);
            if w.chars().count() >= 3 && folded.contains(&w) {
                return Err(FieldError::new(
                    field,
                    Code::PasswordContainsContext,
                    "a password must not contain the username or the entity's name",
                ));
            }
        }
        if pw.chars().collect::<std::collections::HashSet<_>>().len() < 4 {
            return Err(FieldError::new(
                field,
                Code::PasswordRepetitive,
                "a password must not repeat a few characters",
            ));
        }
        // The short list above names the worst offenders; zxcvbn's 30,000 common passwords,
        // names, words, keyboard walks, sequences and dates catch the rest a cracker tries
        // first. Below "10^10 guesses" a password is refused, with zxcvbn's reason. zxcvbn's
        // cost grows steeply with length (seconds for 256 characters of l33t symbols, and one
        // activation code buys any number of tries), so it judges the first characters only:
        // a password whose beginning is guessable is refused, a longer one is only stronger.
        let head: String = pw.chars().take(ZXCVBN_CHARS).collect();
        let estimate = zxcvbn::zxcvbn(&head, context);
        if estimate.score() < zxcvbn::Score::Three {
            let why = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| w.to_string())
                .unwrap_or_else(|| "it is among the first guesses an attacker would try".to_string());
            return Err(FieldError::new(
                field,
                Code::PasswordGuessable,
                format!("this password is easy to guess: {why}"),
            ));
        }
        Ok(Password(SecretString::from(pw)))
    }
}

/// A password is blocklisted when it is a listed one, or a listed one (of 6 or more
/// characters) padded out with repetition or digits, as length rules invite people to do.
fn is_blocklisted(folded: &str) -> bool {
    let stripped = folded.trim_end_matches(|c: char| c.is_ascii_digit() || "!.@#".contains(c));
    BLOCKLIST.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|bad| {
        folded == bad
            || stripped == bad
            || (bad.len() >= 6 && !folded.replace(bad, "").chars().any(|c| c.is_alphabetic()) && folded.contains(bad))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r11_usernames_compare_case_insensitively_after_nfkc() {
        let a = Username::parse("u", "Ｃhan.Tai").unwrap();
        let b = Username::parse("u", "chan.tai").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.as_str(), "Chan.Tai");
        assert!(Username::parse("u", "ab").is_err());
        assert!(Username::parse("u", "a b c").is_err());
        assert!(Username::parse("u", "陳大文").is_ok());
    }

    #[test]
    fn r11_password_policy_length_blocklist_context_but_no_composition_rules() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("p", "short", &[]).unwrap_err().code, "password_too_short");
        assert_eq!(p.check("p", "passwordpassword", &[]).unwrap_err().code, "password_blocklisted");
        assert_eq!(p.check("p", "password12345678", &[]).unwrap_err().code, "password_blocklisted");
        assert_eq!(
            p.check("p", "my name is chantaiman ok", &["ChanTaiMan"]).unwrap_err().code,
            "password_contains_context"
        );
        // Lower-case words only, no digits or symbols: accepted.
        assert!(p.check("p", "correct horse battery staple", &["chan"]).is_ok());
        // Any Unicode, 64 characters and more allowed.
        assert!(p.check("p", "澳門公共服務一戶通實體使用者帳戶的密碼很長很長", &[]).is_ok());
        assert!(p.check("p", &"a long passphrase with many words in it ".repeat(2), &[]).is_ok());
        // Guessable patterns a length rule lets through: sequences, keyboard walks, dates.
        assert_eq!(p.check("p", &"abcdefghij".repeat(7), &[]).unwrap_err().code, "password_guessable");
        assert_eq!(p.check("p", "zxcvbnm,./asdfghjkl", &[]).unwrap_err().code, "password_guessable");
        assert_eq!(p.check("p", "aaaaaaaaaaaaaaaaaaaa", &[]).unwrap_err().code, "password_repetitive");
    }
}
