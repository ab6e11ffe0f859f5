//! Templates (minijinja, compiled into the binary) and the page-level error handling: a
//! console request that is not logged in goes to the login page; other errors render the
//! error page with the same Chinese message the API would give. Also the fixed set of notices
//! a page shows after a form was handled and the browser redirected (POST-redirect-GET).

use axum::http::StatusCode;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongshu_app::identity::Me;
use minijinja::Environment;
use serde::Serialize;

use crate::error::ApiError;

pub struct Templates {
    env: Environment<'static>,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("error.html", include_str!("../../templates/error.html")),
    (
        "objection_form.html",
        include_str!("../../templates/objection_form.html"),
    ),
    (
        "objection_case.html",
        include_str!("../../templates/objection_case.html"),
    ),
    (
        "objections.html",
        include_str!("../../templates/objections.html"),
    ),
    ("orgs.html", include_str!("../../templates/orgs.html")),
    (
        "org_form.html",
        include_str!("../../templates/org_form.html"),
    ),
    (
        "org_liaison.html",
        include_str!("../../templates/org_liaison.html"),
    ),
    (
        "org_responsibility.html",
        include_str!("../../templates/org_responsibility.html"),
    ),
    (
        "accounts.html",
        include_str!("../../templates/accounts.html"),
    ),
    (
        "account_form.html",
        include_str!("../../templates/account_form.html"),
    ),
    (
        "account_password.html",
        include_str!("../../templates/account_password.html"),
    ),
    (
        "security_policy.html",
        include_str!("../../templates/security_policy.html"),
    ),
    ("audit.html", include_str!("../../templates/audit.html")),
    (
        "audit_verify.html",
        include_str!("../../templates/audit_verify.html"),
    ),
    (
        "calendar.html",
        include_str!("../../templates/calendar.html"),
    ),
    (
        "calendar_deadline.html",
        include_str!("../../templates/calendar_deadline.html"),
    ),
    ("tokens.html", include_str!("../../templates/tokens.html")),
    (
        "token_created.html",
        include_str!("../../templates/token_created.html"),
    ),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    (
        "catalog_derive.html",
        include_str!("../../templates/catalog_derive.html"),
    ),
    (
        "catalog_form.html",
        include_str!("../../templates/catalog_form.html"),
    ),
    (
        "catalog_entry.html",
        include_str!("../../templates/catalog_entry.html"),
    ),
    (
        "catalog_revisions.html",
        include_str!("../../templates/catalog_revisions.html"),
    ),
    (
        "catalog_diff.html",
        include_str!("../../templates/catalog_diff.html"),
    ),
    (
        "catalog_list.html",
        include_str!("../../templates/catalog_list.html"),
    ),
    (
        "catalog_review.html",
        include_str!("../../templates/catalog_review.html"),
    ),
    (
        "catalog_region.html",
        include_str!("../../templates/catalog_region.html"),
    ),
    (
        "catalog_elements.html",
        include_str!("../../templates/catalog_elements.html"),
    ),
    (
        "catalog_scheme.html",
        include_str!("../../templates/catalog_scheme.html"),
    ),
    (
        "catalog_import.html",
        include_str!("../../templates/catalog_import.html"),
    ),
    (
        "catalog_data.html",
        include_str!("../../templates/catalog_data.html"),
    ),
    (
        "sharing_new.html",
        include_str!("../../templates/sharing_new.html"),
    ),
    (
        "sharing_requests.html",
        include_str!("../../templates/sharing_requests.html"),
    ),
    (
        "sharing_request.html",
        include_str!("../../templates/sharing_request.html"),
    ),
    (
        "sharing_escalations.html",
        include_str!("../../templates/sharing_escalations.html"),
    ),
    (
        "sharing_grants.html",
        include_str!("../../templates/sharing_grants.html"),
    ),
    (
        "sharing_suspensions.html",
        include_str!("../../templates/sharing_suspensions.html"),
    ),
    (
        "sharing_closures.html",
        include_str!("../../templates/sharing_closures.html"),
    ),
    (
        "notifications.html",
        include_str!("../../templates/notifications.html"),
    ),
    (
        "sharing_verify.html",
        include_str!("../../templates/sharing_verify.html"),
    ),
    (
        "sharing_verify_form.html",
        include_str!("../../templates/sharing_verify_form.html"),
    ),
    (
        "sharing_lists.html",
        include_str!("../../templates/sharing_lists.html"),
    ),
    (
        "sharing_assessments.html",
        include_str!("../../templates/sharing_assessments.html"),
    ),
    (
        "sharing_assessment_history.html",
        include_str!("../../templates/sharing_assessment_history.html"),
    ),
    (
        "quality_tickets.html",
        include_str!("../../templates/quality_tickets.html"),
    ),
    (
        "quality_ticket.html",
        include_str!("../../templates/quality_ticket.html"),
    ),
    (
        "quality_report.html",
        include_str!("../../templates/quality_report.html"),
    ),
    (
        "quality_report_form.html",
        include_str!("../../templates/quality_report_form.html"),
    ),
    // The open-data portal (crate::portal).
    (
        "portal_base.html",
        include_str!("../../templates/portal_base.html"),
    ),
    (
        "portal_error.html",
        include_str!("../../templates/portal_error.html"),
    ),
    (
        "portal_home.html",
        include_str!("../../templates/portal_home.html"),
    ),
    (
        "portal_search.html",
        include_str!("../../templates/portal_search.html"),
    ),
    (
        "portal_dataset.html",
        include_str!("../../templates/portal_dataset.html"),
    ),
];

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.add_filter("shorten", shorten);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("templates compile");
        }
        Self { env }
    }

    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Response {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = %e, "template failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<h1>页面渲染失败</h1>".to_string()),
                )
                    .into_response()
            }
        }
    }
}

/// `{{ text | shorten(40) }}`: at most that many characters, with an ellipsis when cut.
fn shorten(text: String, max: Option<usize>) -> String {
    let max = max.unwrap_or(40);
    if text.chars().count() <= max {
        text
    } else {
        let mut out: String = text.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// What a console page answers when a command fails: the error page, with the navigation when
/// the viewer is known and a link back to where the action started.
pub struct PageError {
    pub err: Box<ApiError>,
    pub me: Option<Box<Me>>,
    pub back: Option<String>,
}

impl PageError {
    /// Where the error page's "返回" link leads (a console path).
    pub fn back(mut self, to: impl Into<String>) -> Self {
        self.back = Some(to.into());
        self
    }
}

impl From<gongshu_app::AppError> for PageError {
    fn from(e: gongshu_app::AppError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        PageError {
            err: Box::new(err),
            me: None,
            back: None,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.err.status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/login").into_response();
        }
        let body = templates().render(
            "error.html",
            minijinja::context! {
                me => self.me,
                status => self.err.status.as_u16(),
                message => self.err.zh,
                code => self.err.code,
                back => self.back,
            },
        );
        (self.err.status, body).into_response()
    }
}

/// The compiled templates, built once.
pub fn templates() -> &'static Templates {
    static TEMPLATES_ONCE: std::sync::LazyLock<Templates> =
        std::sync::LazyLock::new(Templates::new);
    &TEMPLATES_ONCE
}

pub fn not_found_page() -> Response {
    PageError::from(ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "页面不存在",
        "page not found",
    ))
    .into_response()
}

/// The notices a page may show after a redirect. Only these keys are accepted, so a crafted
/// link cannot make the platform display text of its choosing.
const NOTICES: &[(&str, &str)] = &[
    ("org_created", "机构已创建。"),
    ("org_updated", "机构信息已保存。"),
    ("org_deleted", "机构已删除。"),
    ("liaison_updated", "联络人信息已保存。"),
    ("review_signed", "保密审查已签署。"),
    ("responsibility_named", "数据安全责任人已保存。"),
    (
        "account_created",
        "账号已创建。请将初始密码当面或通过安全渠道交给本人，并提醒其首次登录后修改。",
    ),
    ("account_updated", "账号信息已保存。"),
    ("account_disabled", "账号已停用，其所有登录会话已立即结束。"),
    ("account_enabled", "账号已启用。"),
    ("account_unlocked", "账号已解除锁定。"),
    ("password_reset", "密码已重置，该账号的所有登录会话已结束。"),
    ("role_granted", "角色已授予。"),
    ("role_revoked", "角色已撤销。"),
    (
        "policy_updated",
        "安全策略已保存，新的登录和密码设置即刻按新策略执行。",
    ),
    (
        "calendar_imported",
        "节假日安排已导入，期限计算即刻按新日历执行。",
    ),
    ("token_revoked", "令牌已撤销，使用它的请求将被拒绝。"),
    (
        "version_confirmed",
        "已确认，该版本现为现行版本，读取和共享即刻按新版本提供。",
    ),
    (
        "version_discarded",
        "待确认的版本已放弃（撤回），现行版本不变。",
    ),
    (
        "password_changed",
        "密码已修改，您在其他设备上的登录已结束。",
    ),
    (
        "entry_created",
        "目录条目已保存为草稿。核对无误后请提交审核。",
    ),
    ("entry_saved", "修改已保存。提交审核并通过后方可发布。"),
    (
        "entry_submitted",
        "已提交审核，公共数据主管部门应在5个工作日内完成审核。",
    ),
    ("entry_approved", "已审核通过，条目已发布。"),
    (
        "entry_reported",
        "已审核通过并报市级公共数据主管部门审核，市级审核通过后发布。",
    ),
    ("batch_approved", "选中的条目已审核通过并发布。"),
    (
        "batch_reported",
        "选中的条目已审核通过，并已报市级公共数据主管部门审核。",
    ),
    (
        "region_submitted",
        "报送包已生成并留存。请下载报送包，通过自治区规定的渠道报送，收到答复后在此登记。",
    ),
    ("region_answered", "自治区的答复已登记。"),
    (
        "derivative_proposed",
        "脱敏衍生目录已提交审核；公共数据主管部门审核通过即批准其脱敏规则。",
    ),
    (
        "derivative_revised",
        "修改后的脱敏衍生申请已提交审核；审核通过前，已批准的脱敏规则继续有效。",
    ),
    ("entry_returned", "已退回编制单位，退回理由已随条目保存。"),
    (
        "duty_opened",
        "已登记变化，请在15个工作日内更新目录并提交审核。",
    ),
    ("element_source_set", "数源部门已指定。"),
    (
        "scheme_updated",
        "分类分级方案已发布新版本；已有条目仍按原版本定级。",
    ),
    (
        "share_requested",
        "共享申请已提交。无条件共享的数据即时授权；其他申请由数源部门在5个工作日内答复。",
    ),
    ("share_approved", "已同意共享，授权即刻生效。"),
    (
        "share_approved_prepare",
        "已同意共享，请在5个工作日内完成交付，交付后授权生效。",
    ),
    (
        "share_refused",
        "已拒绝该申请，拒绝理由和法律法规依据已告知申请单位。",
    ),
    ("share_delivered", "已交付，授权即刻生效。"),
    ("grant_revoked", "授权已撤销，对方即刻无法再使用该数据。"),
    ("grant_suspended", "授权已暂停，对方即刻无法再使用该数据。"),
    ("grant_reinstated", "授权已恢复。"),
    (
        "access_suspended",
        "已暂停其数据使用权限，下一次访问即被拒绝。",
    ),
    ("suspension_lifted", "已恢复其数据使用权限。"),
    (
        "access_closed",
        "已暂时关闭其获取数据的权限，下一次访问即被拒绝；对方可在“权限关闭”页面看到改正要求。",
    ),
    ("access_reopened", "对方已改正，获取数据的权限已恢复。"),
    ("notification_read", "通知已标记为已读。"),
    ("notifications_read", "全部通知已标记为已读。"),
    (
        "assessment_kept",
        "评估结果已记录：维持有条件共享，一年后再次评估。",
    ),
    (
        "ticket_reported",
        "问题已报告，已转提供单位在5个工作日内整改或说明；办理进展可在本工单查看。",
    ),
    ("ticket_answered", "已答复，待主管部门确认办结。"),
    (
        "opening_risk_flagged",
        "已登记风险，该数据即刻中止开放；请核实后作出撤回、恢复开放或处理后开放的决定。",
    ),
    (
        "opening_case_resolved",
        "已办结，处理结果已登记并反馈异议人。",
    ),
    ("ticket_closed", "工单已办结。"),
    (
        "ticket_reopened",
        "已退回重办，提供单位须在5个工作日内重新答复。",
    ),
    (
        "assessment_converted",
        "评估结果已记录：已生成无条件共享的新修订并提交审核，审核通过后生效。",
    ),
];

pub fn notice_zh(key: &str) -> Option<&'static str> {
    NOTICES.iter().find(|(k, _)| *k == key).map(|(_, zh)| *zh)
}

/// After a successful POST: back to `to` (a console path) showing the notice `key`.
pub fn done(to: &str, key: &'static str) -> Response {
    debug_assert!(notice_zh(key).is_some(), "unknown notice {key}");
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}notice={key}")).into_response()
}

/// A page that must not be kept by the browser or proxies (it shows a secret).
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}
