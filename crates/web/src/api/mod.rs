//! The REST API (`/api/v1`), documented by the OpenAPI document generated from these handlers.

mod accounts;
mod assessments;
mod audit;
mod auth;
mod catalog;
mod confidentiality;
pub(crate) use auth::session_cookie;
mod calendar;
mod closures;
mod data;
mod health;
mod notifications;
mod objections;
mod orgs;
mod quality;
mod region;
mod security_policy;
mod sharing;
mod tickets;
mod tokens;
mod versions;

use utoipa::OpenApi;
use utoipa::openapi::{self, RefOr};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Gongshu 公数 — public data platform API", version = "1"),
    tags(
        (name = "platform", description = "健康检查与监控 Health and metrics"),
        (name = "auth", description = "登录与身份 Login and identity"),
        (name = "organisations", description = "机构 Organisations"),
        (name = "accounts", description = "账号与角色 Accounts and roles"),
        (name = "security", description = "安全策略 Security policy"),
        (name = "audit", description = "审计日志 Audit log"),
        (name = "calendar", description = "工作日历 Working-day calendar"),
        (name = "catalog", description = "公共数据目录 Catalog"),
        (name = "quality", description = "数据质量 Data quality"),
        (name = "sharing", description = "数据共享 Sharing between agencies"),
        (name = "open-data", description = "数据开放 Open data: objections and risks"),
        (name = "notifications", description = "站内通知 In-app notifications"),
    ),
    components(schemas(crate::error::Problem))
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::register))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(orgs::list, orgs::create))
        .routes(routes!(orgs::get, orgs::update, orgs::delete))
        .routes(routes!(orgs::update_liaison))
        .routes(routes!(orgs::name_responsible_persons))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, accounts::update))
        .routes(routes!(accounts::disable))
        .routes(routes!(accounts::enable))
        .routes(routes!(accounts::unlock))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::grant_role))
        .routes(routes!(accounts::revoke_role))
        .routes(routes!(security_policy::get, security_policy::update))
        .routes(routes!(audit::events))
        .routes(routes!(audit::verify))
        .routes(routes!(calendar::status))
        .routes(routes!(calendar::import))
        .routes(routes!(calendar::deadline))
        .routes(routes!(catalog::scheme, catalog::update_scheme))
        .routes(routes!(catalog::scheme_versions))
        .routes(routes!(catalog::search, catalog::create))
        .routes(routes!(catalog::get, catalog::update))
        .routes(routes!(catalog::submit))
        .routes(routes!(catalog::approve))
        .routes(routes!(
            confidentiality::review_entry,
            confidentiality::entry_reviews
        ))
        .routes(routes!(catalog::approve_batch))
        .routes(routes!(catalog::return_entry))
        .routes(routes!(catalog::propose_derivative))
        .routes(routes!(catalog::revise_derivative))
        .routes(routes!(catalog::revisions))
        .routes(routes!(catalog::diff))
        .routes(routes!(catalog::record_change))
        .routes(routes!(catalog::duties))
        .routes(routes!(catalog::review_desk))
        .routes(routes!(catalog::elements))
        .routes(routes!(catalog::assign_source))
        .routes(routes!(catalog::export_xlsx))
        .routes(routes!(catalog::export_json))
        .routes(routes!(catalog::databases))
        .routes(routes!(catalog::own_duties))
        .routes(routes!(region::list, region::submit))
        .routes(routes!(region::get))
        .routes(routes!(region::package))
        .routes(routes!(region::answer))
        .routes(
            routes!(catalog::import_xlsx).layer(axum::extract::DefaultBodyLimit::max(
                gongshu_app::catalog::excel::MAX_IMPORT_BYTES,
            )),
        )
        // The upload streams its body into the ingest, which enforces the platform's own
        // limit (AppConfig::max_upload_bytes) with a 413; the 1 MiB default for JSON bodies
        // must not cut it short.
        .routes(
            routes!(versions::upload, versions::list)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(versions::withdraw))
        .routes(routes!(data::rows))
        .routes(routes!(data::aggregate))
        .routes(routes!(data::stats))
        .routes(routes!(data::sql))
        .routes(routes!(data::verify))
        .routes(routes!(versions::rejects))
        .routes(routes!(versions::confirm))
        .routes(routes!(quality::list_rules, quality::create_rule))
        .routes(routes!(quality::delete_rule))
        .routes(routes!(quality::entry_quality))
        .routes(routes!(quality::overdue))
        .routes(routes!(tickets::list))
        .routes(routes!(tickets::overdue))
        .routes(routes!(tickets::get))
        .routes(routes!(tickets::report))
        .routes(routes!(tickets::answer))
        .routes(routes!(tickets::close))
        .routes(routes!(tickets::reopen))
        .routes(routes!(tickets::check_element))
        .routes(routes!(sharing::list, sharing::create))
        .routes(routes!(sharing::get))
        .routes(routes!(sharing::approve))
        .routes(routes!(confidentiality::review_request))
        .routes(routes!(sharing::refuse))
        .routes(routes!(sharing::deliver))
        .routes(routes!(sharing::grants))
        .routes(routes!(sharing::revoke))
        .routes(routes!(sharing::suspend_grant))
        .routes(routes!(sharing::reinstate_grant))
        .routes(routes!(sharing::suspensions, sharing::suspend))
        .routes(routes!(sharing::lift))
        .routes(routes!(closures::list, closures::close))
        .routes(routes!(closures::reopen))
        .routes(routes!(objections::object))
        .routes(routes!(objections::flag_risk))
        .routes(routes!(objections::list))
        .routes(routes!(objections::show))
        .routes(routes!(objections::resolve))
        .routes(routes!(sharing::escalations))
        .routes(routes!(sharing::report_usage))
        .routes(routes!(sharing::demand_list))
        .routes(routes!(sharing::responsibility_list))
        .routes(routes!(sharing::negative_list))
        .routes(routes!(assessments::assess, assessments::history))
        .routes(routes!(assessments::due))
        .routes(routes!(sharing::list_xlsx))
        .routes(routes!(sharing::demands, sharing::submit_demand))
        .routes(routes!(sharing::demand))
        .routes(routes!(sharing::review_demand))
        .routes(routes!(sharing::answer_demand))
        .routes(routes!(sharing::deliver_demand))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
}

/// The OpenAPI document as served. Every error the API answers is `application/problem+json`
/// (one mapper, `crate::error`), whatever the operation, so the document says so in one place
/// rather than on a hundred handlers: documented 4xx/5xx bodies get that media type, and each
/// operation documents a `default` response — the problem of any status it does not list (a
/// body too large, the database busy, a query queue full, an internal error).
pub(crate) fn document(mut doc: openapi::OpenApi) -> openapi::OpenApi {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let error = status.starts_with('4') || status.starts_with('5');
                if let (true, RefOr::T(response)) = (error, response)
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response.content.insert(PROBLEM_JSON.to_owned(), content);
                }
            }
            operation
                .responses
                .responses
                .entry("default".to_owned())
                .or_insert_with(|| RefOr::T(problem_response()));
        }
    }
    doc
}

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_response() -> openapi::Response {
    openapi::ResponseBuilder::new()
        .description(
            "出错：RFC 9457 problem+json，含稳定的 code 与中英文说明。An error: RFC 9457 \
             problem+json with a stable `code` and messages in Chinese and English; 429 and 503 \
             carry `Retry-After`.",
        )
        .content(
            PROBLEM_JSON,
            openapi::content::ContentBuilder::new()
                .schema(Some(openapi::Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
