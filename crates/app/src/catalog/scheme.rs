//! The classification scheme in force, and the authority's changes to it (H7, B12): its
//! categories, grade notes and grade rules (which share and open types each grade allows and
//! suggests, which grades are masked). Version 1 is the shipped default, written at first
//! start; a scheme with incomplete or contradictory rules is refused on its fields.

use gongshu_audit::Outcome;
use gongshu_domain::catalog::Scheme;
use gongshu_domain::{Action, Target};
use gongshu_store::{Conn, schemes};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::record::{Change, Who, append, authorize, record};
use crate::{App, AppError, Ctx, RequestMeta, Result, format_time};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeView {
    pub version: i64,
    #[schema(value_type = Object)]
    pub scheme: Scheme,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeVersion {
    pub version: i64,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    #[schema(value_type = Object)]
    pub scheme: Scheme,
    /// What changed and why.
    pub note: String,
}

/// Writes version 1 (the shipped default) if no scheme exists yet.
pub(crate) async fn ensure_default(app: &App) -> Result<()> {
    let mut tx = app.db.begin_write().await?;
    if schemes::get_latest_scheme(&mut tx).await?.is_some() {
        return Ok(());
    }
    let scheme = Scheme::default_scheme();
    let definition =
        serde_json::to_string(&scheme).map_err(|e| AppError::Internal(e.to_string()))?;
    let now = app.now_micros();
    schemes::insert_scheme(
        &mut tx,
        1,
        &definition,
        "默认方案（GB/T 43697-2024）",
        "system",
        now,
    )
    .await?;
    let meta = RequestMeta {
        request_id: "startup".into(),
        client_addr: "local".into(),
    };
    let change = Change {
        action: "create_scheme_version",
        target_kind: "classification_scheme",
        target_id: "1",
        payload: json!({ "version": 1, "note": "default" }),
    };
    append(
        app,
        &mut tx,
        &meta,
        Who {
            id: None,
            name: "system",
            org: None,
        },
        Outcome::Success,
        change,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The newest scheme and its version.
pub(crate) async fn latest(conn: &mut Conn) -> Result<(i64, Scheme)> {
    schemes::get_latest_scheme(conn)
        .await?
        .ok_or_else(|| AppError::Internal("no classification scheme".into()))
}

/// Anyone may read the scheme: the public catalog shows categories and grades.
pub async fn current(app: &App) -> Result<SchemeView> {
    let (version, scheme) = latest(&mut *app.db.acquire().await?).await?;
    Ok(SchemeView { version, scheme })
}

pub async fn get_version(app: &App, version: i64) -> Result<SchemeView> {
    get_version_on(&mut *app.db.acquire().await?, version).await
}

/// [`get_version`] on the caller's connection.
pub(crate) async fn get_version_on(conn: &mut Conn, version: i64) -> Result<SchemeView> {
    let scheme = schemes::get_scheme(conn, version)
        .await?
        .ok_or(AppError::not_found("scheme version", "分类方案版本"))?;
    Ok(SchemeView { version, scheme })
}

pub async fn list_versions(app: &App) -> Result<Vec<SchemeVersion>> {
    let mut conn = app.db.acquire().await?;
    Ok(schemes::list_schemes(&mut conn)
        .await?
        .into_iter()
        .map(|(version, note, at, by)| SchemeVersion {
            version,
            note,
            created_at: format_time(at),
            created_by: by,
        })
        .collect())
}

/// A new version; entries keep the version they were graded under.
pub async fn update(app: &App, ctx: Ctx<'_>, input: SchemeInput) -> Result<SchemeView> {
    let mut v = gongshu_domain::Violations::default();
    let note = v.text("note", "修订说明", &input.note, 500);
    if let Err(more) = input.scheme.validate() {
        v.0.extend(more.0);
    }
    v.into_result()?;
    authorize(
        app,
        ctx,
        Action::UpdateScheme,
        Target::Platform,
        "classification_scheme",
        "*",
    )
    .await?;
    let definition =
        serde_json::to_string(&input.scheme).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = app.db.begin_write().await?;
    let (previous, _) = latest(&mut tx).await?;
    let version = previous + 1;
    schemes::insert_scheme(
        &mut tx,
        version,
        &definition,
        &note,
        &ctx.principal.username,
        app.now_micros(),
    )
    .await?;
    record(
        app,
        &mut tx,
        ctx,
        Change {
            action: "create_scheme_version",
            target_kind: "classification_scheme",
            target_id: &version.to_string(),
            payload: json!({ "version": version, "previous": previous, "note": note, "definition_sm3": crate::identity::secret_hash(&definition) }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(SchemeView {
        version,
        scheme: input.scheme,
    })
}
