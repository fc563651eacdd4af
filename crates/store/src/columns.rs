//! Reading the columns whose text the domain gives meaning to (enum spellings, identity
//! document types, one-item-a-line lists); every area's row conversion shares these.

use domain::identity::IdDocumentType;
use domain::store::StoreError;

/// A value no version of this program writes: the row was written by something else, so
/// it is reported rather than guessed at.
pub(crate) fn corrupt(col: &str, value: &str) -> StoreError {
    StoreError::Database(format!("unexpected {col} in the database: {value}"))
}

/// The variant column `col` spells as `s`.
pub(crate) fn parse<T>(col: &str, s: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(s).ok_or_else(|| corrupt(col, s))
}

/// The variant a nullable column spells, if it holds one.
pub(crate) fn parse_opt<T>(
    col: &str,
    s: Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    s.map(|s| self::parse(col, &s, parse)).transpose()
}

pub(crate) fn id_type(s: &str) -> Option<IdDocumentType> {
    match s {
        "macau_resident" => Some(IdDocumentType::MacauResident),
        "passport" => Some(IdDocumentType::Passport),
        "other" => Some(IdDocumentType::Other),
        _ => None,
    }
}

/// A list kept one item a line (redirect URIs: a URI holds no line break).
pub(crate) fn lines(s: String) -> Vec<String> {
    s.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}
