//! The catalogues' message keys as constants, one for each key that every language holds
//! (declared by `build.rs` from `locales/`): naming a key that one language lacks does not
//! compile, so a message cannot go missing in one language unnoticed.

use serde::Serialize;

/// A message key that all three catalogues hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Key(&'static str);

impl Key {
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

include!(concat!(env!("OUT_DIR"), "/keys.rs"));
