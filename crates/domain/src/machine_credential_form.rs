//! What an administrator asks for when creating a machine credential (R36), and its parse:
//! a name, the e-services (or none, with the provisioning right), an end at most two years
//! ahead, and optionally the public key the software signs its assertions with. The
//! catalogue checks (each e-service exists and is usable by the entity) are the rules'.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::error::{FieldError, Fields};
use crate::mandate_form::{parse_codes, parse_end_within_two_years};
use crate::text::Text;
use crate::Code;

const NAME_MAX: usize = 100;
/// A JWK is a few hundred bytes; an RSA key of 8192 bits about 1.5 KB.
const JWK_MAX_BYTES: usize = 4096;
/// RSA keys shorter than this are refused (NIST SP 800-131A); longer than the second is no key
/// anyone uses and only costs verification time.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

#[derive(Debug, Clone, Default)]
pub struct MachineCredentialInput {
    pub name: String,
    pub eservices: Vec<String>,
    pub provisioning: bool,
    pub valid_until: String,
    /// A public JWK as JSON text; without it the credential gets a secret.
    pub jwk: Option<String>,
}

/// A checked public key: its algorithm and its JWK re-serialised with only the public members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    pub alg: JwkAlg,
    pub json: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwkAlg {
    Es256,
    Rs256,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMachineCredential {
    pub name: String,
    pub eservices: Vec<String>,
    pub provisioning: bool,
    pub valid_until: Timestamp,
    pub jwk: Option<PublicJwk>,
}

/// Members of a private JWK (RFC 7518 §6.2.2, §6.3.2): a key that has any is refused, so a
/// private key pasted by mistake is never stored.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn b64(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    let s = obj.get(name).and_then(Value::as_str).ok_or_else(|| format!("`{name}` is required"))?;
    URL_SAFE_NO_PAD.decode(s).map_err(|_| format!("`{name}` is not base64url"))
}

/// A public EC P-256 (ES256) or RSA (RS256, 2048 bits or more) JWK (RFC 7517), as JSON text.
pub fn parse_jwk(field: &str, raw: &str) -> Result<PublicJwk, FieldError> {
    let bad = |why: String| FieldError::new(field, Code::InvalidJwk, why);
    if raw.len() > JWK_MAX_BYTES {
        return Err(bad(format!("at most {JWK_MAX_BYTES} bytes")));
    }
    let value: Value = serde_json::from_str(raw).map_err(|_| bad("not a JSON object".into()))?;
    let obj = value.as_object().ok_or_else(|| bad("not a JSON object".into()))?;
    if obj.contains_key("keys") {
        return Err(bad("one key, not a key set".into()));
    }
    if PRIVATE_MEMBERS.iter().any(|m| obj.contains_key(*m)) {
        return Err(bad("a private key; give only the public key".into()));
    }
    let text = |name: &str| -> Result<Option<&str>, FieldError> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad(format!("`{name}` must be a string"))),
        }
    };
    if text("use")?.is_some_and(|u| u != "sig") {
        return Err(bad("`use` must be `sig`".into()));
    }
    let kid = text("kid")?.map(str::to_string);
    if kid.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(bad("`kid` must hold 1 to 200 characters".into()));
    }
    let mut out = Map::new();
    let alg = match (text("kty")?, text("alg")?) {
        (Some("EC"), None | Some("ES256")) => {
            if text("crv")? != Some("P-256") {
                return Err(bad("an EC key must be on P-256".into()));
            }
            let x = b64(obj, "x").map_err(bad)?;
            let y = b64(obj, "y").map_err(bad)?;
            if x.len() != 32 || y.len() != 32 {
                return Err(bad("`x` and `y` must be 32 bytes each".into()));
            }
            let point = p256::EncodedPoint::from_affine_coordinates(x.as_slice().into(), y.as_slice().into(), false);
            if p256::PublicKey::from_sec1_bytes(point.as_bytes()).is_err() {
                return Err(bad("the point is not on P-256".into()));
            }
            out.insert("kty".into(), "EC".into());
            out.insert("crv".into(), "P-256".into());
            out.insert("x".into(), URL_SAFE_NO_PAD.encode(&x).into());
            out.insert("y".into(), URL_SAFE_NO_PAD.encode(&y).into());
            out.insert("alg".into(), "ES256".into());
            JwkAlg::Es256
        }
        (Some("RSA"), None | Some("RS256")) => {
            let n = b64(obj, "n").map_err(bad)?;
            let e = b64(obj, "e").map_err(bad)?;
            let n_trimmed: &[u8] = &n[n.iter().take_while(|b| **b == 0).count()..];
            let bits = n_trimmed.len() * 8 - n_trimmed.first().map_or(8, |b| b.leading_zeros() as usize);
            if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
                return Err(bad(format!("an RSA key of {RSA_MIN_BITS} to {RSA_MAX_BITS} bits")));
            }
            let e_trimmed: &[u8] = &e[e.iter().take_while(|b| **b == 0).count()..];
            let odd = e_trimmed.last().is_some_and(|b| b & 1 == 1);
            if e_trimmed.is_empty()
                || e_trimmed.len() > 8
                || !odd
                || e_trimmed == [1]
                || n_trimmed[n_trimmed.len() - 1] & 1 == 0
            {
                return Err(bad("not a usable RSA public key".into()));
            }
            out.insert("kty".into(), "RSA".into());
            out.insert("n".into(), URL_SAFE_NO_PAD.encode(n_trimmed).into());
            out.insert("e".into(), URL_SAFE_NO_PAD.encode(e_trimmed).into());
            out.insert("alg".into(), "RS256".into());
            JwkAlg::Rs256
        }
        (Some("EC" | "RSA"), Some(_)) => return Err(bad("`alg` must be ES256 for EC or RS256 for RSA".into())),
        (None, _) => return Err(bad("`kty` is required".into())),
        (Some(_), _) => return Err(bad("`kty` must be EC (P-256) or RSA".into())),
    };
    out.insert("use".into(), "sig".into());
    if let Some(kid) = kid {
        out.insert("kid".into(), kid.into());
    }
    Ok(PublicJwk { alg, json: Value::Object(out).to_string() })
}

impl MachineCredentialInput {
    pub fn parse(&self, now: Timestamp, f: &mut Fields) -> Option<ParsedMachineCredential> {
        let name = f.take(Text::parse("name", &self.name, NAME_MAX));
        let eservices = if self.eservices.is_empty() {
            if !self.provisioning {
                f.push(FieldError::new(
                    "eservices",
                    Code::OneOfRequired,
                    "at least one e-service, or the provisioning right",
                ));
            }
            Some(Vec::new())
        } else {
            parse_codes("eservices", &self.eservices, f).map(|mut c| {
                c.sort();
                c
            })
        };
        let until = parse_end_within_two_years("valid_until", &self.valid_until, now, f);
        let jwk = match self.jwk.as_deref().map(str::trim).filter(|j| !j.is_empty()) {
            None => Some(None),
            Some(raw) => f.take(parse_jwk("jwk", raw)).map(Some),
        };
        if !f.is_empty() {
            return None;
        }
        Some(ParsedMachineCredential {
            name: name?.to_string(),
            eservices: eservices?,
            provisioning: self.provisioning,
            valid_until: until?,
            jwk: jwk?,
        })
    }
}
