//! Quality tickets in the demo city (质量问题工单, H11, B17), made through the real commands so
//! the provider's ticket list and the authority's pages have something to show: 市民政局
//! reports names in 市公安局's household register that do not match its marriage records, and
//! the operator feeds back (B17) that the company register still shows deregistered companies
//! as operating. Both stay open for their providers to answer.

use gongshu_app::catalog::excel::export_json;
use gongshu_app::identity::principal_for_cli;
use gongshu_app::quality::tickets::{ReportInput, TicketParams, list_tickets, report_problem};
use gongshu_app::{App, AppError, Ctx, RequestMeta, Result};

/// (reporter, entry name, item code, description).
const REPORTS: &[(&str, &str, &str, &str)] = &[
    (
        "mzj-staff",
        "户籍人口基本信息",
        "xm",
        "办理婚姻登记时核对发现，部分人员姓名中的生僻字在户籍数据中显示为问号，与本人身份证件不一致，请核实更正。",
    ),
    (
        "operator",
        "企业登记信息",
        "djzt",
        "运营中对账发现，部分已办理注销登记的企业在登记状态中仍为“存续”，影响企业信用类数据产品的准确性，请核实更新。",
    ),
];

/// Seeds the demo's quality tickets once (nothing happens when any ticket exists). Returns
/// how many were opened.
pub async fn seed_quality(app: &App) -> Result<usize> {
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    // The city authority sees every ticket of the city.
    let reviewer = principal_for_cli(app, "reviewer").await?;
    let as_reviewer = Ctx {
        meta: &meta,
        principal: &reviewer,
    };
    if list_tickets(app, as_reviewer, TicketParams::default())
        .await?
        .total
        > 0
    {
        return Ok(0);
    }
    let published = export_json(app, Some(as_reviewer)).await?;
    for (reporter, entry, item, description) in REPORTS {
        let code = published
            .iter()
            .find(|e| e.name == *entry)
            .map(|e| e.code.clone())
            .ok_or_else(|| AppError::Internal(format!("demo entry {entry} missing")))?;
        let principal = principal_for_cli(app, reporter).await?;
        let ctx = Ctx {
            meta: &meta,
            principal: &principal,
        };
        let input = ReportInput {
            description: (*description).into(),
            item_code: Some((*item).into()),
            version: None,
            rows: Vec::new(),
        };
        report_problem(app, ctx, &code, input).await?;
    }
    Ok(REPORTS.len())
}
