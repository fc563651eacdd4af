//! R32's file: staff to create, one a row, as an administrator's spreadsheet saves them.
//! UTF-8 with or without Excel's byte-order mark, lines ending in CRLF or LF, the columns
//! named by the header in any order (more columns are ignored). A row is named by the line
//! it starts on, counting the header as line 1, as the spreadsheet that made it shows it.
//! A file past the size is refused unread, and one past the rows as soon as its reader
//! reaches row 1,001, before any row is read into a person.

use crate::error::FieldError;
use crate::person::{IdDocumentInput, PersonInput};
use crate::Code;

/// The columns R32 fixes, in the order the template lists them.
pub const IMPORT_COLUMNS: [&str; 5] = ["name", "id_document_type", "id_document_number", "mobile", "eservices"];
/// The most rows a file may hold (R32).
pub const IMPORT_MAX_ROWS: usize = 1_000;
/// The largest file accepted, in bytes.
pub const IMPORT_MAX_BYTES: usize = 1 << 20;

/// One row of the file: the person and the e-service codes it names.
pub struct ImportRow {
    /// The line the row starts on (the header is line 1).
    pub row: usize,
    pub person: PersonInput,
    pub eservices: Vec<String>,
}

/// A fault of one row (or of the whole file, at row 0 for its size or encoding and row 1 for
/// its header), named by its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, field: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        RowError { row, field: field.into(), code, message: message.into() }
    }

    /// A person's field error, named by the file's column rather than the API's path.
    pub fn of_field(row: usize, e: FieldError) -> Self {
        let field = match e.field.as_str() {
            "id_document" | "id_document.number" => "id_document_number".to_string(),
            "id_document.type" => "id_document_type".to_string(),
            other => other.to_string(),
        };
        RowError { row, field, code: e.code, message: e.message }
    }
}

/// Reads the file into its rows, or says why the file as a whole cannot be read.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<RowError>> {
    if bytes.len() > IMPORT_MAX_BYTES {
        return Err(vec![RowError::new(0, "file", Code::TooLarge, "the file is larger than 1 MiB")]);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(body).is_err() {
        return Err(vec![RowError::new(0, "file", Code::Invalid, "the file is not UTF-8 text (save it as CSV UTF-8)")]);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(body);
    let header = reader
        .headers()
        .map_err(|e| vec![RowError::new(1, "file", Code::Invalid, format!("the header cannot be read: {e}"))])?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<RowError> = IMPORT_COLUMNS
        .iter()
        .filter(|c| column(c).is_none())
        .map(|c| RowError::new(1, *c, Code::MissingColumn, format!("the header has no column {c}")))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let at: Vec<usize> = IMPORT_COLUMNS.iter().map(|c| column(c).expect("checked above")).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let row = e.position().map_or(0, |p| line_at(body, p.byte() as usize));
            vec![RowError::new(row, "file", Code::Invalid, format!("the row cannot be read: {e}"))]
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == IMPORT_MAX_ROWS {
            return Err(too_many());
        }
        let row = record.position().map_or(0, |p| line_at(body, p.byte() as usize));
        let cell = |i: usize| record.get(at[i]).unwrap_or("").to_string();
        let mobile = cell(3);
        rows.push(ImportRow {
            row,
            person: PersonInput {
                name: cell(0),
                id_document: IdDocumentInput { kind: cell(1), number: cell(2) },
                mobile: Some(mobile),
                document_shown: None,
            },
            eservices: cell(4).split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect(),
        });
    }
    Ok(rows)
}

fn too_many() -> Vec<RowError> {
    vec![RowError::new(0, "file", Code::TooMany, format!("the file has more than {IMPORT_MAX_ROWS} rows"))]
}

/// The line a record starting at `offset` is on. The reader's offset of a record after a
/// CRLF points at that line's LF, so the line breaks at the offset are stepped over first.
fn line_at(body: &[u8], offset: usize) -> usize {
    let offset = offset.min(body.len());
    let start = offset + body[offset..].iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
    1 + body[..start].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,id_document_type,id_document_number,mobile,eservices";

    #[test]
    fn r32_excel_utf8_with_bom_and_crlf_reads_every_row_on_its_line() {
        let file = format!("\u{FEFF}{HEADER}\r\n陳大文,macau_resident,1234567(8),66123456,tax;social\r\n\r\nAna,passport,P1,66123457,\r\n");
        let rows = parse_import(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].row, rows[0].person.name.as_str()), (2, "陳大文"));
        assert_eq!(rows[0].eservices, ["tax", "social"]);
        assert_eq!((rows[1].row, rows[1].eservices.len()), (4, 0));
    }

    #[test]
    fn r32_quoted_line_breaks_keep_the_row_numbers_true() {
        let file = format!("{HEADER}\n\"A\nB\",passport,P1,66123456,\nC,passport,P2,66123457,\n");
        let rows = parse_import(file.as_bytes()).unwrap();
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn r32_columns_in_any_order_and_a_missing_one_is_named() {
        let file = "mobile,name,eservices,id_document_number,id_document_type\n66123456,A,,P1,passport\n";
        assert_eq!(parse_import(file.as_bytes()).unwrap()[0].person.id_document.number, "P1");
        let errors =
            parse_import(b"name,id_document_type,id_document_number,eservices\nA,passport,P1,\n").err().unwrap();
        assert_eq!(errors, [RowError::new(1, "mobile", Code::MissingColumn, "the header has no column mobile")]);
    }

    #[test]
    fn r32_more_than_a_thousand_rows_or_a_mebibyte_is_refused_whole() {
        let mut file = format!("{HEADER}\n");
        for i in 0..=IMPORT_MAX_ROWS {
            file.push_str(&format!("P{i},passport,P{i},66123456,\n"));
        }
        assert_eq!(parse_import(file.as_bytes()).err().unwrap()[0].code, Code::TooMany);
        let big = vec![b'a'; IMPORT_MAX_BYTES + 1];
        assert_eq!(parse_import(&big).err().unwrap()[0].code, Code::TooLarge);
        assert_eq!(parse_import(b"\xff\xfe").err().unwrap()[0].code, Code::Invalid);
    }
}
