//! R32 on the staff pages: an administrator uploads a staff file, checks it (every row's
//! faults by row and column, in the page's language) and, once it has none, creates every
//! row at once. The file is chosen again for the commit: nothing of it is kept between posts.

use axum::http::StatusCode;
use axum::response::Response;
use domain::import_form::{RowError, IMPORT_COLUMNS, IMPORT_MAX_ROWS};
use minijinja::context;
use serde::Serialize;

use super::failed;
use crate::web::audience::AdminPage;
use crate::web::i18n::{tr, Lang};
use crate::web::labels::error_key;
use crate::web::page::Web;
use crate::web::posted::Upload;

/// One fault as the page lists it.
#[derive(Serialize)]
struct FaultRow {
    row: usize,
    /// The file's column, as written in the file, and its label in the page's language.
    column: String,
    column_label: String,
    message: String,
}

/// The label of a file's column: the staff form's own label for the same field.
fn column_label(lang: Lang, column: &str) -> String {
    let key = match column {
        "name" => "admin-field-name",
        "id_document_type" => "admin-field-id-type",
        "id_document_number" => "admin-field-id-number",
        "mobile" => "admin-field-mobile",
        "eservices" => "account-col-eservices",
        _ => "import-column-file",
    };
    tr(lang, key)
}

fn fault_row(lang: Lang, e: &RowError) -> FaultRow {
    FaultRow {
        row: e.row,
        column: e.field.clone(),
        column_label: column_label(lang, &e.field),
        message: tr(lang, error_key(e.code).as_str()),
    }
}

fn import_page(web: &mut Web, status: StatusCode, checked: Option<usize>, faults: Vec<FaultRow>) -> Response {
    let columns = IMPORT_COLUMNS.join(",");
    let values = context! { columns, max_rows => IMPORT_MAX_ROWS, checked, faults };
    web.render("account/staff_import.html", status, values)
}

pub async fn get_import(AdminPage(mut web, _): AdminPage) -> Response {
    import_page(&mut web, StatusCode::OK, None, Vec::new())
}

/// `action=check` is the dry run; `action=commit` creates every row or none.
pub async fn post_import(Upload(AdminPage(mut web, caller), form, file): Upload<AdminPage>) -> Response {
    let dry_run = form.get("action") != "commit";
    let report = match caller.admin_of_own() {
        Ok(admin) => web.state.services.import_staff(&admin, &web.ctx, &file, dry_run).await,
        Err(e) => Err(e),
    };
    match report {
        Ok(r) if r.errors.is_empty() && !dry_run => web.redirect(&format!("/admin/staff?imported={}", r.created)),
        Ok(r) if r.errors.is_empty() => import_page(&mut web, StatusCode::OK, Some(r.rows), Vec::new()),
        Ok(r) => {
            let faults = r.errors.iter().map(|e| fault_row(web.lang, e)).collect();
            import_page(&mut web, StatusCode::UNPROCESSABLE_ENTITY, None, faults)
        }
        Err(e) => failed(&mut web, &e),
    }
}
