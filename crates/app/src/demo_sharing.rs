//! Sharing in the demo city, made through the real commands so every page has something to
//! show: a conditional request waiting in 市公安局's inbox, an approved one with a live grant
//! on the million-row register, a refusal with its legal basis, an unconditional entry granted
//! at once, and a demand request for uncatalogued data awaiting the authority.

use gongshu_domain::sharing::Commitments;
use gongshu_store::{catalog, sharing as store};

use crate::sharing::{
    ApproveInput, DemandInput, RefuseInput, RequestInput, approve, refuse, request_share,
    submit_demand,
};
use crate::{App, AppError, Ctx, RequestMeta, Result};

/// The code of the published demo entry named `name`.
async fn code_of(app: &App, name: &str) -> Result<String> {
    let mut conn = app.db().acquire().await?;
    for entry in catalog::list_entries(&mut conn).await? {
        if let Some(p) = entry.published_revision
            && let Some(r) = catalog::get_revision(&mut conn, &entry.id, p).await?
            && r.name == name
        {
            return Ok(entry.code);
        }
    }
    Err(AppError::Internal(format!("demo entry {name} missing")))
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
    let mut conn = app.db().acquire().await?;
    if !store::list_all_requests(&mut conn).await?.is_empty() {
        return Ok(0);
    }
    drop(conn);
    let meta = RequestMeta {
        request_id: format!("demo-{}", uuid::Uuid::now_v7()),
        client_addr: "local".into(),
    };
    let until = (crate::calendar::today(app) + chrono::Duration::days(180)).to_string();
    let register = code_of(app, "户籍人口基本信息").await?;
    let marriage = code_of(app, "婚姻登记信息").await?;
    let accidents = code_of(app, "道路交通事故统计").await?;
    let principal = |name: &'static str| crate::identity::principal_for_cli(app, name);
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
    let ctx = |principal| Ctx {
        meta: &meta,
        principal,
    };

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
    Ok(4)
}
