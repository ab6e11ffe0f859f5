//! Who reads, and what one read of one entry resolves to: the version and the reader's policy
//! view ([`readable`]), and the audit event every read request writes.

use gongshu_audit::Outcome;
use gongshu_domain::versions::VersionState;
use gongshu_domain::{Action, Target, decide};
use gongshu_query::Dataset;
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::derivatives;
use gongshu_store::versions::{self, VersionRow};
use serde_json::Value;

use gongshu_domain::catalog::{ShareMode, Vocabulary};
use gongshu_privacy::PolicySalt;
use gongshu_query::Filter;

use super::policy::{Masks, Policy};
use crate::catalog::approved_rules;
use crate::record::{Change, Who, append};
use crate::sharing::{live_grant, refuse_if_suspended};
use crate::{App, AppError, Ctx, RequestMeta, Result};

/// Who reads: a signed-in principal or an anonymous member of the public.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    Signed(Ctx<'a>),
    Anonymous(&'a RequestMeta),
}

impl<'a> Reader<'a> {
    pub fn new(ctx: Option<Ctx<'a>>, meta: &'a RequestMeta) -> Self {
        match ctx {
            Some(ctx) => Self::Signed(ctx),
            None => Self::Anonymous(meta),
        }
    }

    fn ctx(self) -> Option<Ctx<'a>> {
        match self {
            Self::Signed(ctx) => Some(ctx),
            Self::Anonymous(_) => None,
        }
    }

    pub(super) fn meta(self) -> &'a RequestMeta {
        match self {
            Self::Signed(ctx) => ctx.meta,
            Self::Anonymous(meta) => meta,
        }
    }

    /// Whom the query executor counts a query against: the account, or an anonymous
    /// reader's address.
    pub(super) fn query_key(self) -> String {
        match self {
            Self::Signed(ctx) => ctx.principal.account_id.clone(),
            Self::Anonymous(meta) => format!("anonymous:{}", meta.client_addr),
        }
    }

    pub(super) fn who(self) -> Who<'a> {
        match self {
            Self::Signed(ctx) => Who {
                id: Some(&ctx.principal.account_id),
                name: &ctx.principal.username,
                org: ctx.principal.org_id.as_deref(),
            },
            Self::Anonymous(_) => Who {
                id: None,
                name: "anonymous",
                org: None,
            },
        }
    }
}

/// What a read resolved to.
pub(crate) struct Readable {
    pub entry: EntryRow,
    pub version: VersionRow,
    pub policy: Policy,
    pub dataset: Dataset,
}

/// The version a reader asked for (or the current one) of an entry they may read, with the
/// view their policy gives. Entries a reader cannot see at all are "not found"; entries they
/// can see in the catalog but not read say why.
pub(crate) async fn readable(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    version: Option<i64>,
    mode: ShareMode,
) -> Result<Readable> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let lake = app.config.lake.as_ref().ok_or_else(not_found)?;
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let owner = reader.ctx().is_some_and(|ctx| {
        decide(
            &ctx.principal.actor,
            Action::ManageEntries,
            Target::Organisation { id: &entry.org_id },
        )
        .is_allowed()
    });
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let open = published
        .as_ref()
        .is_some_and(|p| p.open_type == "unconditional");
    // Another agency reads through a live grant for this mode, unless it is suspended (H41).
    let grant = match reader {
        Reader::Signed(ctx) if !owner && !open && published.is_some() => {
            refuse_if_suspended(&mut conn, ctx.principal).await?;
            match ctx.principal.org_id.as_deref() {
                Some(org) => live_grant(&mut conn, org, &entry.id, mode, app.now_micros()).await?,
                None => None,
            }
        }
        _ => None,
    };
    if !owner && !open && grant.is_none() {
        // Anonymous readers see only open entries in the catalog; anything else does not
        // exist for them. Signed-in readers see published entries and are told why not.
        return Err(match (published, reader) {
            (Some(_), Reader::Signed(_)) => AppError::Denied {
                code: "no_grant",
                zh: format!(
                    "没有可用的共享授权（{}）：该数据不是无条件开放数据，需经共享申请获批并在有效期内方可读取",
                    mode.zh()
                ),
                en: format!(
                    "no live sharing grant for {}: this data is not unconditionally open; it can be read only through an approved, unexpired sharing grant",
                    mode.code()
                ),
            },
            _ => not_found(),
        });
    }
    // A masked derivative (H19) has no data of its own: it serves its source's versions.
    let derivative = derivatives::get_derivative(&mut conn, &entry.id).await?;
    let (data_entry_id, derived_from) = match &derivative {
        Some(d) => {
            let source = catalog::get_entry_by_id(&mut conn, &d.source_entry_id)
                .await?
                .ok_or_else(|| AppError::Internal(format!("{code}: source entry missing")))?;
            (source.id, Some(source.code))
        }
        None => (entry.id.clone(), None),
    };
    // A held version (issue 11 item 4) is read only by its owner, asking for it by number,
    // to check it before confirming; for everyone else it does not exist.
    let may_read_held = owner && derivative.is_none();
    let version = match version {
        Some(v) => versions::get_version(&mut conn, &data_entry_id, v)
            .await?
            .filter(|v| v.withdrawn_at.is_none())
            .filter(|v| v.state == VersionState::Committed || may_read_held)
            .ok_or_else(|| AppError::not_found("data version", "数据版本"))?,
        None => versions::get_current_version(&mut conn, &data_entry_id)
            .await?
            .ok_or_else(|| {
                AppError::conflict(
                    "no_data",
                    "该目录条目尚无可读取的数据版本",
                    "this catalog entry has no readable data version yet",
                )
            })?,
    };
    let columns: Vec<String> = serde_json::from_str::<Vec<Value>>(&version.schema)
        .map_err(|e| AppError::Internal(format!("version schema: {e}")))?
        .iter()
        .filter_map(|c| c["code"].as_str().map(str::to_owned))
        .collect();
    let mut policy = if owner && derivative.is_none() {
        Policy::owner(&columns)
    } else {
        // The published revision's items decide the masking, whatever revision the data was
        // checked against: a newly masked item is masked in every version from then on.
        let revision = match (entry.published_revision, &derivative) {
            (Some(r), _) => r,
            (None, Some(_)) => return Err(rules_not_approved()),
            (None, None) => return Err(not_found()),
        };
        let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
        let masks = match &derivative {
            Some(_) => Masks::Approved(approved_rules(&mut conn, &entry.id, revision).await?),
            None => Masks::Default,
        };
        match grant {
            Some(g) if !open => {
                let internal = |e: String| AppError::Internal(format!("grant {}: {e}", g.id));
                let row_filter = g
                    .row_filter
                    .iter()
                    .map(|(item, expr)| Filter::parse(item, expr))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| internal(e.to_string()))?;
                let salt = PolicySalt::parse_hex(&g.salt).map_err(|e| internal(e.to_string()))?;
                Policy::grant(
                    &columns,
                    &items,
                    &masks,
                    &g.items,
                    row_filter,
                    (g.id, g.purpose),
                    salt,
                )
            }
            _ if owner => Policy::derivative_owner(&columns, &items, &masks),
            _ => Policy::open(&columns, &items, &masks),
        }
    };
    policy.derived_from = derived_from;
    let dataset = Dataset {
        name: entry.code.clone(),
        files: vec![lake.file_url(&version.data_file)],
        view: policy.view(app.config.privacy_secret.as_ref()),
    };
    Ok(Readable {
        entry,
        version,
        policy,
        dataset,
    })
}

fn rules_not_approved() -> AppError {
    AppError::conflict(
        "rules_not_approved",
        "该脱敏衍生目录的脱敏规则尚未经公共数据主管部门审核通过，暂不能读取",
        "the masking rules of this derivative entry are not approved yet",
    )
}

/// One audit event per read request: who read which version under which policy, and how.
pub(super) async fn record_read(
    app: &App,
    reader: Reader<'_>,
    action: &str,
    target: &str,
    payload: Value,
) -> Result<()> {
    let mut tx = app.db.begin_write().await?;
    append(
        app,
        &mut tx,
        reader.meta(),
        reader.who(),
        Outcome::Success,
        Change {
            action,
            target_kind: "data_version",
            target_id: target,
            payload,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The audit target of a read: the entry and version.
pub(super) fn target(r: &Readable) -> String {
    format!("{}/v{}", r.entry.code, r.version.version)
}
