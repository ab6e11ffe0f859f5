//! 数据共享 in the console (issue 5, item 8): the request form on a published entry, 我的申请
//! with timelines, the source admin's 待我答复 inbox and decision forms, the authorities'
//! 督办清单, 共享授权 with revoke/suspend/reinstate, 核验比对 against verification grants (H21),
//! the city authority's 暂停管理, 权限关闭 by a source or an authority (H41) with what the user
//! must correct, the three lists of H17 and the yearly assessments of
//! conditional sharing (H19). Sharing between agencies is free of charge: no page shows a
//! price. Each page calls the same application commands as the JSON API.

mod assessments;
mod closures;
mod escalations;
mod fields;
mod grants;
mod lists;
mod request;
mod requests;
mod suspensions;
mod verify;
mod verify_csv;

pub(crate) use requests::PageParams;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/catalog/entries/{code}/share-request",
            get(request::form).post(request::submit),
        )
        .route("/sharing/requests", get(requests::mine))
        .route("/sharing/inbox", get(requests::inbox))
        .route("/sharing/requests/{id}", get(requests::show))
        .route("/sharing/requests/{id}/approve", post(requests::approve))
        .route(
            "/sharing/requests/{id}/confidentiality-review",
            post(requests::sign_review),
        )
        .route("/sharing/requests/{id}/refuse", post(requests::refuse))
        .route("/sharing/requests/{id}/deliver", post(requests::deliver))
        .route("/sharing/escalations", get(escalations::list))
        .route("/sharing/grants", get(grants::list))
        .route("/sharing/grants/{id}/{change}", post(grants::change))
        .route(
            "/sharing/suspensions",
            get(suspensions::list).post(suspensions::create),
        )
        .route("/sharing/suspensions/{id}/lift", post(suspensions::lift))
        .route(
            "/sharing/closures",
            get(closures::list).post(closures::create),
        )
        .route("/sharing/closures/{id}/reopen", post(closures::reopen))
        .route("/sharing/verify", get(verify::list))
        .route(
            "/sharing/verify/{code}",
            get(verify::form).post(verify::submit),
        )
        .route("/sharing/lists/{list}", get(lists::show))
        .route("/sharing/assessments", get(assessments::list))
        .route("/sharing/assessments/{code}", get(assessments::history))
        .route(
            "/sharing/assessments/{code}/assess",
            post(assessments::assess),
        )
}
