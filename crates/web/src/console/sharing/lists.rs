//! 三张清单 (H17): 需求清单 (share requests and their states), 责任清单 (what each agency owes,
//! overdue lines marked) and 负面清单 (entries not shared, with their legal bases), as tabs of
//! one page, 50 lines a page. An agency sees its own lines, authorities and the regulator the
//! whole city; each list downloads as a workbook from the API, which takes the session cookie.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongshu_app::sharing::{SharingList, pages};
use minijinja::context;

use super::requests::PageParams;
use crate::console::auth::Viewer;
use crate::console::forms::Params;
use crate::console::render::PageError;
use crate::error::ApiError;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(list): Path<String>,
    Params(q): Params<PageParams>,
) -> Result<Response, PageError> {
    let list = SharingList::parse(&list).ok_or_else(|| {
        viewer.fail(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "页面不存在",
            "page not found",
        ))
    })?;
    let page = pages::sharing_list_page(&state.app, viewer.ctx(), list, q.number(), PER_PAGE)
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(viewer.page("sharing_lists.html", context! { p => page }))
}
