//! Who reads, and what one read of one entry resolves to: the version and the reader's policy
//! view ([`readable`]), and the audit event every read request writes.

use gongshu_audit::Outcome;
use gongshu_domain::access::{EntryFacts, Masking, ReadAsk, ReadBasis, Refusal, decide_read};
use gongshu_domain::closure::Closure;
use gongshu_domain::grant::Grant;
use gongshu_domain::objection::{Case, CaseKind, Opening};
use gongshu_domain::versions::VersionState;
use gongshu_query::Dataset;
use gongshu_store::catalog::{self, EntryRow};
use gongshu_store::versions::{self, VersionRow};
use gongshu_store::{Conn, StoreError, closures, derivatives, objections, sharing};
use serde_json::{Value, json};

use gongshu_domain::catalog::{OpenType, ShareMode, Vocabulary};

use super::policy::{Masks, Policy, PolicySource};
use crate::catalog::approved_rules;
use crate::record::{Change, Who, record_alone};
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

/// One read to authorise: what the reader does (the audit event's action) in which share mode.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Access {
    pub action: &'static str,
    pub mode: ShareMode,
}

/// The version a reader asked for (or the current one) of an entry they may read, with the
/// view their policy gives. The domain's read decision says whether and on what basis; every
/// refusal is recorded with its reason. Entries a reader cannot see at all are "not found";
/// entries they can see in the catalog but not read say why.
pub(crate) async fn readable(
    app: &App,
    reader: Reader<'_>,
    code: &str,
    version: Option<i64>,
    access: Access,
) -> Result<Readable> {
    let not_found = || AppError::not_found("catalog entry", "目录条目");
    let lake = app.config.lake.as_ref().ok_or_else(not_found)?;
    let mut conn = app.db.acquire().await?;
    let entry = catalog::get_entry_by_code(&mut conn, code)
        .await?
        .ok_or_else(not_found)?;
    let published = catalog::get_published_revision(&mut conn, &entry).await?;
    let open = published
        .as_ref()
        .is_some_and(|p| p.open_type == OpenType::Unconditional);
    // A masked derivative (H19) has no data of its own: it serves its source's versions.
    let derivative = derivatives::get_derivative(&mut conn, &entry.id).await?;
    let facts = match read_facts(&mut conn, reader, &entry.id, open).await {
        Ok(facts) => facts,
        // Fail closed: a grant or a closure that no longer parses is no basis for a read.
        Err(StoreError::Corrupt { what, id, .. }) => {
            drop(conn);
            let refusal = Unreadable::of(what);
            let payload = json!({ "reason": refusal.code(), "mode": access.mode.code(), "record": what, "id": id });
            record_refusal(app, reader, access, code, payload).await?;
            return Err(refusal.into());
        }
        Err(e) => return Err(e.into()),
    };
    let ask = ReadAsk {
        reader: reader.ctx().map(|ctx| &ctx.principal.actor),
        entry: EntryFacts {
            id: &entry.id,
            org_id: &entry.org_id,
            published: published.is_some(),
            open_unconditionally: open,
            opening: Opening::of(&facts.cases, entry.published_revision.unwrap_or(0)),
            derivative: derivative.is_some(),
        },
        mode: access.mode,
        suspension: facts.suspension.as_deref(),
        closures: &facts.closures,
        grants: &facts.grants,
        now: app.now_micros(),
    };
    let decided = match decide_read(&ask) {
        Ok(decided) => decided,
        Err(refusal) => {
            drop(conn);
            let mut payload = json!({ "reason": refusal.code(), "mode": access.mode.code() });
            match &refusal {
                Refusal::AccessClosed {
                    closure_id, reason, ..
                } => {
                    payload["closure"] = json!(closure_id);
                    payload["closed_because"] = json!(reason);
                }
                Refusal::OpeningSuspended { case_id, .. } => payload["case"] = json!(case_id),
                _ => {}
            }
            record_refusal(app, reader, access, code, payload).await?;
            return Err(refused(refusal, access.mode));
        }
    };
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
    let version = match version {
        Some(v) => versions::get_version(&mut conn, &data_entry_id, v)
            .await?
            .filter(|v| v.withdrawn_at.is_none())
            .filter(|v| v.state == VersionState::Committed || decided.may_read_held())
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
    let columns: Vec<String> = version.schema.iter().map(|c| c.code.clone()).collect();
    let mut policy = match decided.masking {
        Masking::Clear => Policy::owner(&columns),
        masking => {
            // The published revision's items decide the masking, whatever revision the data
            // was checked against: a newly masked item is masked in every version from then on.
            let revision = entry
                .published_revision
                .ok_or_else(|| AppError::Internal(format!("{code}: not published")))?;
            let items = catalog::list_items(&mut conn, &entry.id, revision).await?;
            let masks = match masking {
                Masking::ApprovedRules => {
                    Masks::Approved(approved_rules(&mut conn, &entry.id, revision).await?)
                }
                _ => Masks::Default,
            };
            match decided.basis {
                ReadBasis::Grant(g) => Policy::grant(
                    &columns,
                    &items,
                    &masks,
                    &g.items,
                    g.row_filter.filters(),
                    (g.id.clone(), g.purpose.clone()),
                    g.salt,
                ),
                ReadBasis::Owner => Policy::derivative_owner(&columns, &items, &masks),
                ReadBasis::Open => Policy::open(&columns, &items, &masks),
            }
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

/// What the read decision needs beyond the entry: the cases that suspend or withdraw its
/// opening (H27; asked only of open data), and what the sharing path knows of a signed-in
/// reader (H41) — an open suspension of their account or organisation, the open closures on
/// either, and the grants their organisation holds on the entry. Anonymous readers have none
/// of the latter.
#[derive(Default)]
struct ReadFacts {
    cases: Vec<Case>,
    suspension: Option<String>,
    closures: Vec<Closure>,
    grants: Vec<Grant>,
}

async fn read_facts(
    conn: &mut Conn,
    reader: Reader<'_>,
    entry_id: &str,
    open: bool,
) -> std::result::Result<ReadFacts, StoreError> {
    let cases = if open {
        objections::cases_deciding_opening(conn, entry_id).await?
    } else {
        Vec::new()
    };
    let Reader::Signed(ctx) = reader else {
        return Ok(ReadFacts {
            cases,
            ..ReadFacts::default()
        });
    };
    let p = ctx.principal;
    let org = p.org_id.as_deref();
    let suspension = sharing::open_suspensions(conn, &p.account_id, org)
        .await?
        .into_iter()
        .next()
        .map(|s| s.reason);
    let closures = closures::open_closures_of(conn, &p.account_id, org).await?;
    let grants = match org {
        Some(org) => sharing::grants_for(conn, org, entry_id).await?,
        None => Vec::new(),
    };
    Ok(ReadFacts {
        cases,
        suspension,
        closures,
        grants,
    })
}

/// A sharing fact that could not be read: a grant, or a closure (H41).
enum Unreadable {
    Grant,
    Closure,
    Objection,
}

impl Unreadable {
    fn of(what: &str) -> Self {
        if what.starts_with("closure") {
            Self::Closure
        } else if what.starts_with("objection") {
            Self::Objection
        } else {
            Self::Grant
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Grant => "grant_unreadable",
            Self::Closure => "closure_unreadable",
            Self::Objection => "objection_unreadable",
        }
    }
}

impl From<Unreadable> for AppError {
    fn from(u: Unreadable) -> Self {
        let (zh, en) = match u {
            Unreadable::Grant => ("共享授权", "sharing grant"),
            Unreadable::Closure => ("访问权限关闭", "access closure"),
            Unreadable::Objection => ("开放异议", "opening objection"),
        };
        AppError::Denied {
            code: u.code(),
            zh: format!("{zh}记录无法读取，已拒绝本次读取；请联系平台运维人员核查"),
            en: format!(
                "the {en} record cannot be read, so the read is refused; ask the platform's operators to check it"
            ),
        }
    }
}

/// The error a refused reader sees: the entry does not exist for them, their access is
/// suspended or closed (with who closed it and the correction demanded), or there is no live
/// grant for the mode (the refusal's reason is in the audit event; the reader is told which).
fn refused(refusal: Refusal, mode: ShareMode) -> AppError {
    match refusal {
        Refusal::Hidden => AppError::not_found("catalog entry", "目录条目"),
        Refusal::ReaderSuspended { reason } => AppError::Denied {
            code: "access_suspended",
            zh: format!("您的数据使用权限已被暂停：{reason}"),
            en: format!("your access to shared data is suspended: {reason}"),
        },
        Refusal::AccessClosed {
            closed_by,
            reason,
            correction,
            ..
        } => AppError::Denied {
            code: "access_closed",
            zh: format!(
                "{closed_by}已暂时关闭您获取该数据的权限（原因：{reason}）。请按要求改正：{correction}。改正后由{closed_by}恢复权限"
            ),
            en: format!(
                "{closed_by} has temporarily closed your access to this data (reason: {reason}); correct as demanded: {correction}; {closed_by} reopens it once corrected"
            ),
        },
        Refusal::OpeningSuspended { case_id, kind, .. } => AppError::OpeningSuspended {
            case_id,
            zh: format!(
                "该数据因{}正在核实，已中止开放（立即中止，核实后由数源部门撤回、恢复或处理后开放）",
                kind.zh()
            ),
            en: format!(
                "the opening of this data is suspended while an {} is verified; the source agency withdraws, restores or re-opens it after verification",
                match kind {
                    CaseKind::Objection => "objection",
                    CaseKind::Risk => "identified risk",
                }
            ),
        },
        Refusal::RulesNotApproved => rules_not_approved(),
        other => AppError::Denied {
            code: "no_grant",
            zh: format!(
                "没有可用的共享授权（{}；{}）：该数据不是无条件开放数据，需经共享申请获批并在有效期内方可读取",
                mode.zh(),
                other.zh()
            ),
            en: format!(
                "no live sharing grant for {} ({}): this data is not unconditionally open; it can be read only through an approved, unexpired sharing grant",
                mode.code(),
                other.code()
            ),
        },
    }
}

fn rules_not_approved() -> AppError {
    AppError::conflict(
        "rules_not_approved",
        "该脱敏衍生目录的脱敏规则尚未经公共数据主管部门审核通过，暂不能读取",
        "the masking rules of this derivative entry are not approved yet",
    )
}

/// A refused read, on record with its reason in a transaction of its own.
async fn record_refusal(
    app: &App,
    reader: Reader<'_>,
    access: Access,
    code: &str,
    payload: Value,
) -> Result<()> {
    let change = Change {
        action: access.action,
        target_kind: "catalog_entry",
        target_id: code,
        payload,
    };
    record_alone(app, reader.meta(), reader.who(), Outcome::Denied, change).await
}

/// One audit event per read request: who read which version under which policy, and how.
///
/// `open` names the entries read on the open basis, with their published revision. Their
/// opening is checked again inside the transaction that writes the event (H27): an objection
/// commits under the same write lock, so a read whose event follows it is refused rather than
/// served, however long its query took — no row leaves after the objection is on record.
pub(super) async fn record_read(
    app: &App,
    reader: Reader<'_>,
    action: &'static str,
    target: &str,
    payload: Value,
    open: &[OpenRead],
) -> Result<()> {
    let change = Change {
        action,
        target_kind: "data_version",
        target_id: target,
        payload,
    };
    if open.is_empty() {
        return record_alone(app, reader.meta(), reader.who(), Outcome::Success, change).await;
    }
    let mut tx = app.db.begin_write().await?;
    for read in open {
        let cases = objections::cases_deciding_opening(&mut tx, &read.entry_id).await?;
        let case = match Opening::of(&cases, read.revision) {
            Opening::Open => continue,
            Opening::Suspended(case) | Opening::Withdrawn(case) => case.clone(),
        };
        drop(tx);
        let refusal = Refusal::OpeningSuspended {
            case_id: case.id.clone(),
            kind: case.kind,
            since: case.filed_at,
        };
        let access = Access {
            action,
            mode: ShareMode::BulkDownload,
        };
        let payload =
            json!({ "reason": refusal.code(), "case": case.id, "checked": "at_delivery" });
        record_refusal(app, reader, access, &read.code, payload).await?;
        return Err(refused(refusal, access.mode));
    }
    crate::record::append(
        app,
        &mut tx,
        reader.meta(),
        reader.who(),
        Outcome::Success,
        change,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An entry read on the open basis (H25), whose opening the read's audit event re-checks.
#[derive(Debug, Clone)]
pub(super) struct OpenRead {
    pub entry_id: String,
    pub code: String,
    pub revision: i64,
}

impl Readable {
    /// The entry, if this read rests on the open basis.
    pub(super) fn open_read(&self) -> Option<OpenRead> {
        (self.policy.source == PolicySource::Open).then(|| OpenRead {
            entry_id: self.entry.id.clone(),
            code: self.entry.code.clone(),
            revision: self.entry.published_revision.unwrap_or(0),
        })
    }
}

pub(super) fn target(r: &Readable) -> String {
    format!("{}/v{}", r.entry.code, r.version.version)
}
