//! Sharing in the demo city, made through the real commands so every page has something to
//! show: a conditional request waiting in 市公安局's inbox, an approved one with a live grant
//! on the million-row register, a refusal with its legal basis, an unconditional entry granted
//! at once, a grant whose use 市公安局 has temporarily closed until 市卫生健康委员会 corrects
//! its misuse (H41), and a demand request for uncatalogued data awaiting the authority.

use gongshu_app::catalog::EntryView;
use gongshu_app::catalog::excel::export_json;
use gongshu_app::identity::principal_for_cli;
use gongshu_app::sharing::{
    ApproveInput, CloseInput, DemandInput, RefuseInput, RequestInput, approve, close_access,
    refuse, request_share, submit_demand,
};
use gongshu_app::{App, AppError, Ctx, RequestMeta, Result, bootstrap};
use gongshu_domain::sharing::Commitments;

/// The code of the published demo entry named `name`.
fn code_of(published: &[EntryView], name: &str) -> Result<String> {
    published
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.code.clone())
        .ok_or_else(|| AppError::Internal(format!("demo entry {name} missing")))
}

fn ask(
    code: String,
    items: &[&str],
    scenario: &str,
    purpose: &str,
    unit: &str,
    until: &str,
) -> RequestInput {
    RequestInput {
        entry_code: code,
        items: items.iter().map(|s| (*s).to_owned()).collect(),
        modes: vec!["api_query".into()],
        scenario: scenario.into(),
        purpose: purpose.into(),
        using_unit: unit.into(),
        until: until.into(),
        commitments: Commitments {
            purpose_bound: true,
            no_onward_transfer: true,
            security: true,
        },
    }
}

/// Seeds the demo's sharing once (nothing happens when any request exists). Returns how many
/// requests were made.
pub async fn seed_sharing(app: &App) -> Result<usize> {
    if bootstrap::inventory(app).await?.share_requests > 0 {
        return Ok(0);
    }
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let until = (gongshu_app::calendar::today(app) + chrono::Duration::days(180)).to_string();
    let principal = |name: &'static str| principal_for_cli(app, name);
    // Staff see every published entry.
    let reviewer = principal("reviewer").await?;
    let published = export_json(app, Some(ctx_of(&meta, &reviewer))).await?;
    let register = code_of(&published, "户籍人口基本信息")?;
    let marriage = code_of(&published, "婚姻登记信息")?;
    let accidents = code_of(&published, "道路交通事故统计")?;
    let deaths = code_of(&published, "出生和死亡户籍登记信息")?;
    let (mzj, rsj, wjw) = (
        principal("mzj-staff").await?,
        principal("rsj-staff").await?,
        principal("wjw-staff").await?,
    );
    let (gaj_admin, mzj_admin, jyj_admin) = (
        principal("gaj-admin").await?,
        principal("mzj-admin").await?,
        principal("jyj-admin").await?,
    );
    let ctx = |principal| ctx_of(&meta, principal);

    request_share(
        app,
        ctx(&mzj),
        ask(
            register.clone(),
            &["xm", "gmsfhm", "zz"],
            "最低生活保障对象户籍核实",
            "核实低保申请人的户籍地址",
            "市民政局社会救助科",
            &until,
        ),
    )
    .await?;
    let approved = request_share(
        app,
        ctx(&rsj),
        ask(
            register,
            &["xm", "gmsfhm", "csrq", "zz"],
            "社会保险参保资格认证",
            "核对参保人身份和出生日期",
            "市人力资源和社会保障局社保中心",
            &until,
        ),
    )
    .await?;
    approve(
        app,
        ctx(&gaj_admin),
        &approved.id,
        ApproveInput {
            items: Some(vec!["xm".into(), "gmsfhm".into(), "csrq".into()]),
            until: None,
            row_filter: Vec::new(),
            prepare: false,
            note: "户籍地址不属于参保资格认证所需的最少数据项，未予提供".into(),
        },
    )
    .await?;
    let refused = request_share(
        app,
        ctx(&wjw),
        ask(
            marriage,
            &["gmsfhm", "xm", "djlx"],
            "出生医学证明签发前核对父母婚姻状况",
            "核对新生儿父母婚姻登记",
            "市卫生健康委员会妇幼保健科",
            &until,
        ),
    )
    .await?;
    refuse(
        app,
        ctx(&mzj_admin),
        &refused.id,
        RefuseInput {
            reason: "签发出生医学证明不以父母婚姻状况为条件，申请用途超出必要范围".into(),
            legal_basis: "《中华人民共和国个人信息保护法》第六条".into(),
        },
    )
    .await?;
    request_share(
        app,
        ctx(&mzj),
        ask(
            accidents,
            &["tjyf", "sgqs", "swrs"],
            "困难家庭因交通事故致贫情况分析",
            "按月统计交通事故伤亡情况",
            "市民政局社会救助科",
            &until,
        ),
    )
    .await?;
    let misused = request_share(
        app,
        ctx(&wjw),
        ask(
            deaths.clone(),
            &["gmsfhm", "xm", "djlx", "djrq"],
            "死亡人员居民电子健康档案注销",
            "核对死亡登记，注销已故居民的电子健康档案",
            "市卫生健康委员会基层卫生健康科",
            &until,
        ),
    )
    .await?;
    approve(
        app,
        ctx(&gaj_admin),
        &misused.id,
        ApproveInput {
            items: None,
            until: None,
            row_filter: Vec::new(),
            prepare: false,
            note: String::new(),
        },
    )
    .await?;
    // The grant stays; its use is closed until the misuse is corrected (H41).
    close_access(
        app,
        ctx(&gaj_admin),
        CloseInput {
            subject_kind: "organisation".into(),
            subject_id: wjw.org_id.clone().unwrap_or_default(),
            scope: "entry".into(),
            entry_code: Some(deaths),
            provider_org_id: None,
            reason: "将死亡登记数据用于与档案注销无关的死亡原因统计，并提供给第三方研究机构，超出申请用途"
                .into(),
            correction: "停止超范围使用，收回并删除已提供给第三方和留存的数据副本，提交书面整改报告并说明今后的数据使用管理措施"
                .into(),
        },
    )
    .await?;
    submit_demand(
        app,
        ctx(&jyj_admin),
        DemandInput {
            title: "适龄儿童预防接种记录".into(),
            description: "入学前儿童的疫苗接种记录（含身份证号、疫苗名称、接种日期），目前尚未编目"
                .into(),
            scenario: "新生入学预防接种证查验".into(),
        },
    )
    .await?;
    Ok(5)
}

fn ctx_of<'a>(meta: &'a RequestMeta, principal: &'a gongshu_app::Principal) -> Ctx<'a> {
    Ctx { meta, principal }
}
