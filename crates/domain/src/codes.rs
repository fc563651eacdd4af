//! One-time codes sent by SMS (R9, R12): activation codes and password-reset codes. Ten
//! characters of Crockford's base32 (50 bits), which people read off a phone and type easily:
//! no I, L, O or U, and lookalikes are folded when typed.

use crate::error::FieldError;
use crate::Code;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LEN: usize = 10;

/// A code as generated or as typed, normalised; never printed by `Debug`.
pub struct OneTimeCode(SecretString);

impl OneTimeCode {
    pub fn generate() -> Self {
        let mut bytes = [0u8; LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let s: String = bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
        OneTimeCode(SecretString::from(s))
    }

    /// Accepts `ABCDE-FGHJK`, lower case, spaces, and the lookalikes O→0, I/L→1.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let mut out = String::with_capacity(LEN);
        for c in raw.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
                return Err(FieldError::new(field, Code::InvalidCode, "the code has 10 letters and digits"));
            }
            out.push(c);
        }
        if out.len() != LEN {
            return Err(FieldError::new(field, Code::InvalidCode, "the code has 10 letters and digits"));
        }
        Ok(OneTimeCode(SecretString::from(out)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `ABCDE-FGHJK`, as the SMS shows it.
    pub fn display(&self) -> String {
        let s = self.expose();
        format!("{}-{}", &s[..5], &s[5..])
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r9_codes_carry_at_least_40_bits_in_a_typing_friendly_alphabet() {
        // 10 symbols of a 32-symbol alphabet = 50 bits.
        assert!((LEN as f64) * (ALPHABET.len() as f64).log2() >= 40.0);
        let c = OneTimeCode::generate();
        assert_eq!(c.expose().len(), LEN);
        assert!(!c.expose().contains(['I', 'L', 'O', 'U']));
        let typed = c.display().to_lowercase();
        assert_eq!(OneTimeCode::parse("c", &typed).unwrap().expose(), c.expose());
        assert_eq!(OneTimeCode::parse("c", "oooo0-iiii1").unwrap().expose(), "0000011111");
        assert!(OneTimeCode::parse("c", "ABC").is_err());
        assert!(!format!("{c:?}").contains(c.expose()));
    }
}
