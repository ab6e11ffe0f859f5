//! The Excel round trip in the console: download a catalog (one's own agency's, the county's,
//! the city's) in the import template, and upload a filled template into one's own catalog.
//! An import is all or nothing: when any cell is wrong the page lists every problem with its
//! sheet, row and column and says that nothing was imported.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongshu_app::catalog::excel::{self, ImportReport};
use gongshu_app::{AppError, FileProblem};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::console::auth::Viewer;
use crate::console::forms::{FormErrors, Params, all_orgs, form_errors};
use crate::console::render::PageError;
use crate::error::ApiError;
use crate::state::AppState;

/// One download link: a catalog the viewer may export.
#[derive(Serialize)]
pub struct Scope {
    /// The `org` parameter; empty for the whole city.
    pub org: String,
    pub label: String,
}

/// The viewer's own organisation, the county around it (if any) and the city.
pub async fn export_scopes(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<Scope>, gongshu_app::AppError> {
    let mut scopes = Vec::new();
    if let Some(own) = viewer.principal.org_id.as_deref()
        && viewer.may("view_catalog")
    {
        let orgs = all_orgs(&state.app, viewer.ctx()).await?;
        let find = |id: &str| orgs.iter().find(|o| o.id == id);
        if let Some(org) = find(own)
            && org.kind != "authority"
        {
            scopes.push(Scope {
                org: org.id.clone(),
                label: format!("本单位目录（{}）", org.name),
            });
        }
        // The nearest authority at or above: a county's catalog when it is a county one.
        let mut cursor = find(own);
        while let Some(org) = cursor {
            if org.kind == "authority" {
                if org.level == "county" {
                    scopes.push(Scope {
                        org: org.id.clone(),
                        label: format!("本旗县区目录（{}辖区）", org.name),
                    });
                }
                break;
            }
            cursor = org.parent_id.as_deref().and_then(find);
        }
    }
    scopes.push(Scope {
        org: String::new(),
        label: "全市目录".into(),
    });
    Ok(scopes)
}

async fn import_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    report: Option<ImportReport>,
    problems: Vec<FileProblem>,
    failed: Option<FormErrors>,
) -> Result<Response, PageError> {
    let scopes = export_scopes(state, viewer)
        .await
        .map_err(|e| viewer.fail(e))?;
    let ctx = context! {
        scopes => scopes,
        report => report,
        problems => problems,
        may_import => viewer.may("manage_entries"),
    };
    Ok(match failed {
        None => viewer.page_with_status(status, "catalog_import.html", ctx),
        Some(f) => viewer.page_with_status(
            f.status,
            "catalog_import.html",
            context! { error => f.message, errors => f.fields, ..ctx },
        ),
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    import_page(&state, &viewer, StatusCode::OK, None, Vec::new(), None).await
}

/// The uploaded workbook's bytes.
async fn workbook(mut form: Multipart) -> Result<Vec<u8>, FormErrors> {
    let unreadable =
        |_| FormErrors::field("file", "上传的文件无法读取（文件不得超过20MB），请重新选择");
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map_err(unreadable)?.to_vec();
        }
    }
    if bytes.is_empty() {
        return Err(FormErrors::field(
            "file",
            "请选择要导入的Excel（.xlsx）文件",
        ));
    }
    Ok(bytes)
}

pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let form = form.map_err(|r| {
        viewer
            .fail(ApiError::new(
                r.status(),
                "bad_request",
                "上传的表单无法识别，请返回后重试",
                r.body_text(),
            ))
            .back("/catalog/import")
    })?;
    let bytes = match workbook(form).await {
        Ok(bytes) => bytes,
        Err(f) => {
            return import_page(&state, &viewer, f.status, None, Vec::new(), Some(f)).await;
        }
    };
    match excel::import_scoped(&state.app, viewer.ctx(), None, &bytes).await {
        Ok(report) => {
            import_page(
                &state,
                &viewer,
                StatusCode::OK,
                Some(report),
                Vec::new(),
                None,
            )
            .await
        }
        Err(AppError::InvalidFile(problems)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            import_page(&state, &viewer, status, None, problems, None).await
        }
        Err(e) => {
            let failed = form_errors(&viewer, e).map_err(|p| p.back("/catalog/import"))?;
            import_page(
                &state,
                &viewer,
                failed.status,
                None,
                Vec::new(),
                Some(failed),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportParams {
    org: String,
}

pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<ExportParams>,
) -> Result<Response, PageError> {
    let bytes = excel::export_scoped(&state.app, Some(viewer.ctx()), Some(q.org.as_str()))
        .await
        .map_err(|e| viewer.fail(e).back("/catalog/import"))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"catalog.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
