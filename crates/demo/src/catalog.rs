//! The demo city's catalog: about sixty realistic entries across the demo agencies, covering
//! every share type, open type, grade and update frequency, drafted, submitted and reviewed
//! through the same commands people use, so the audit log tells their story too. County
//! entries pass their county authority and then the city authority (第八条). A few are left as
//! a draft, awaiting review and returned, and 新城区民政局's two entries are reported to the
//! city as one batch and left awaiting the city's review, so the review desks have work.

use gongshu_app::catalog::elements::{AssignSourceInput, assign_source};
use gongshu_app::catalog::excel::find_org;
use gongshu_app::catalog::{
    BatchInput, EntryInput, ItemInput, ReturnInput, approve, approve_batch, return_entry, submit,
};
use gongshu_app::confidentiality::{ReviewInput, review_entry};
use gongshu_app::identity::principal_for_cli;
use gongshu_app::{App, AppError, Ctx, RequestMeta, Result, bootstrap};
use gongshu_domain::catalog::LegalBasis;

pub(crate) const DATA: &str = include_str!("../data/demo-catalog.txt");

/// Which demo organisation is the source of which basic data element (一数一源).
const SOURCES: &[(&str, &str)] = &[
    ("NP01", "gaj"),
    ("NP02", "gaj"),
    ("NP03", "mzj"),
    ("NP04", "wjw"),
    ("NP05", "gaj"),
    ("NP06", "wjw"),
    ("NP07", "rsj"),
    ("NP08", "mzj"),
    ("NP09", "jyj"),
    ("NP10", "cl"),
    ("NP11", "gjjzx"),
    ("NP12", "zrzyj"),
    ("NP13", "rsj"),
    ("OR01", "scjgj"),
    ("OR02", "mzj"),
    ("OR04", "sfj"),
];

struct Line {
    org: String,
    input: EntryInput,
}

fn law(name: &str, article: &str) -> LegalBasis {
    LegalBasis {
        law: name.into(),
        article: article.into(),
    }
}

fn parse_items(spec: &str, grade: &str) -> Vec<ItemInput> {
    spec.split(", ")
        .map(|item| {
            let mut parts = item.split(':');
            let code = parts.next().unwrap_or_default();
            let name = parts.next().unwrap_or_default();
            let data_type = parts.next().unwrap_or("text");
            let mut out = ItemInput {
                code: code.into(),
                name: name.into(),
                data_type: data_type.into(),
                grade: grade.into(),
                ..ItemInput::default()
            };
            for flag in parts {
                match flag.split_once('=') {
                    Some(("s", kind)) => out.sensitive_kind = Some(kind.into()),
                    Some(("e", element)) => out.element_code = Some(element.into()),
                    _ if flag == "p" => out.personal = true,
                    _ if flag == "m" => out.masked = Some(true),
                    _ if flag == "u" => out.masked = Some(false),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

fn parse_line(line: &str) -> Option<Line> {
    let f: Vec<&str> = line.split(" | ").map(str::trim).collect();
    let [
        org,
        category,
        name,
        summary,
        grade,
        share,
        open,
        frequency,
        form,
        items,
    ] = f[..]
    else {
        return None;
    };
    let items = parse_items(items, grade);
    let personal = items.iter().any(|i| i.personal);
    let share_modes = match share {
        "unconditional" => vec!["api_query".into(), "bulk_download".into()],
        "conditional" => vec!["api_query".into()],
        _ => vec!["verification".into()],
    };
    let mut legal_bases = Vec::new();
    if share != "unconditional" {
        legal_bases.push(law("中华人民共和国数据安全法", "第三十八条"));
        if personal {
            legal_bases.push(law("中华人民共和国个人信息保护法", "第三十四条"));
        }
        legal_bases.push(law("呼和浩特市公共数据管理暂行办法", "第十八条"));
    }
    Some(Line {
        org: org.into(),
        input: EntryInput {
            category_code: category.into(),
            name: name.into(),
            summary: summary.into(),
            grade: grade.into(),
            data_form: form.into(),
            share_type: share.into(),
            share_conditions: if share == "conditional" {
                "限于履行法定职责所必需，按申请的场景和信息项使用，不得转提供".into()
            } else {
                String::new()
            },
            share_scope: if share == "not_shared" {
                "仅提供核验比对".into()
            } else {
                "全市公共管理和服务机构".into()
            },
            share_modes,
            open_type: open.into(),
            open_conditions: if open == "conditional" {
                "限定用于科研和公共服务场景，须签署数据使用协议并落实安全措施".into()
            } else {
                String::new()
            },
            not_open_reason: (open == "not_open").then(|| {
                if personal {
                    "privacy".into()
                } else {
                    "legal_bar".into()
                }
            }),
            legal_bases,
            update_frequency: frequency.into(),
            source_org_id: None,
            collecting_dept: String::new(),
            approving_dept: String::new(),
            providing_dept: String::new(),
            related_codes: Vec::new(),
            state_secret: false,
            change_note: "初始编目".into(),
            // The default scheme suggests no type the demo entries depart from.
            departure_reason: String::new(),
            items,
        },
    })
}

/// The demo user names of an organisation key: its agency admin, its reviewing authority's
/// reviewer, and for a county agency the county's reviewer (whose approval reports the entry
/// to the city reviewer).
fn users_of(org: &str) -> (String, Option<&'static str>) {
    let county = if org.starts_with("xcq") {
        Some("xcq-reviewer")
    } else if org.starts_with("tzq") {
        Some("tzq-reviewer")
    } else {
        None
    };
    (format!("{org}-admin"), county)
}

fn cleared() -> ReviewInput {
    ReviewInput {
        no_state_secret: true,
        personal_information_protected: true,
        legal_basis_checked: true,
        opinion: "经审查，不涉及国家秘密，不含未经处理的个人信息，开放依据已核实，同意开放".into(),
    }
}

/// The county agency whose entries are reported to the city as one batch and left there.
const AWAITING_CITY: &str = "xcq-mzj";

/// Seeds the catalog once (nothing happens when any entry exists). Returns entries created.
pub async fn seed_catalog(app: &App) -> Result<usize> {
    if bootstrap::inventory(app).await?.entries > 0 {
        return Ok(0);
    }
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let city_reviewer = principal_for_cli(app, "reviewer").await?;
    for (element, org) in SOURCES {
        let ctx = Ctx {
            meta: &meta,
            principal: &city_reviewer,
        };
        let name = crate::city::org_name(org)
            .ok_or_else(|| AppError::Internal(format!("demo org {org} unknown")))?;
        let org_id = find_org(app, name).await?;
        assign_source(app, ctx, element, AssignSourceInput { org_id }).await?;
    }
    let lines: Vec<Line> = DATA
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(parse_line)
        .collect();
    let total = lines.len();
    let as_city = Ctx {
        meta: &meta,
        principal: &city_reviewer,
    };
    let mut batch = Vec::new();
    for (n, line) in lines.into_iter().enumerate() {
        let (admin, county_reviewer) = users_of(&line.org);
        let agency = principal_for_cli(app, &admin).await?;
        let county = match county_reviewer {
            Some(name) => Some(principal_for_cli(app, name).await?),
            None => None,
        };
        let as_agency = Ctx {
            meta: &meta,
            principal: &agency,
        };
        // The first reviewer: the county authority for a county entry, else the city.
        let as_first = Ctx {
            meta: &meta,
            principal: county.as_ref().unwrap_or(&city_reviewer),
        };
        let view = gongshu_app::catalog::create_entry(app, as_agency, None, line.input).await?;
        // The last three stay in the workflow: a draft, one awaiting review, one returned.
        match total - n {
            1 => continue,
            2 => {
                submit(app, as_agency, &view.code).await?;
            }
            3 => {
                submit(app, as_agency, &view.code).await?;
                let reasons = "信息项“年报年度”的数据类型应为整数，请修改后重新提交".to_owned();
                return_entry(app, as_first, &view.code, ReturnInput { reasons }).await?;
            }
            _ if line.org == AWAITING_CITY => {
                submit(app, as_agency, &view.code).await?;
                batch.push(view.code);
            }
            _ => {
                submit(app, as_agency, &view.code).await?;
                // The agency admin is its security lead (see `city`): an entry opened to
                // society is published after its confidentiality review (第三十四条).
                if view.open_type != "not_open" {
                    review_entry(app, as_agency, &view.code, cleared()).await?;
                }
                approve(app, as_first, &view.code).await?;
                if county.is_some() {
                    approve(app, as_city, &view.code).await?;
                }
            }
        }
    }
    // 新城区大数据管理局 reports its 民政局's entries to the city in one batch.
    let xcq = principal_for_cli(app, "xcq-reviewer").await?;
    let as_xcq = Ctx {
        meta: &meta,
        principal: &xcq,
    };
    approve_batch(app, as_xcq, BatchInput { codes: batch }).await?;
    Ok(total)
}
