//! CKAN's Action API (`/api/3/action/{action}` and `/api/action/{action}`, GET with a query
//! string or POST with a JSON body) over what the public may see: the open datasets of the
//! catalog and, through `datastore_search`, their rows read through the one read decision.
//! CKAN clients (`ckanapi.RemoteCKAN`) and harvesters use it unchanged. An API token goes in
//! CKAN's `Authorization` header, bare (`gst_…`) or as `Bearer gst_…`; `X-CKAN-API-Key` and
//! the console's session cookie work too. Every action is read-only.

mod catalog;
mod datastore;
mod dicts;
mod params;
mod reply;
mod search;

pub(crate) use dicts::FORMATS;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::Response;
use axum::routing::get;
use gongshu_app::{Ctx, identity};

use self::params::Params;
use self::reply::{CkanError, Reply, respond};
use crate::extract::{Authed, credential, request_meta};
use crate::state::AppState;

/// The largest body of a POSTed action.
const BODY_LIMIT: usize = 64 * 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/3/action/{action}", get(action).post(action))
        .route("/api/action/{action}", get(action).post(action))
}

/// What an action works with: the platform, the caller, the parameters and the address the
/// caller reached, for absolute links.
pub(crate) struct Call<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub params: &'a Params,
    pub base: &'a str,
}

/// The caller: signed in with a credential, or anonymous, with the request's audit facts.
pub(crate) struct Caller {
    pub authed: Option<Authed>,
    pub meta: gongshu_app::RequestMeta,
}

impl Caller {
    pub(crate) fn ctx(&self) -> Option<Ctx<'_>> {
        self.authed.as_ref().map(Authed::ctx)
    }
}

async fn action(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let base = crate::public_url::base_url(&parts, &state);
    let help = format!(
        "{base}/api/3/action/help_show?name={}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    let answer = async {
        let caller = caller(&state, &parts).await?;
        let params = params(&parts, body).await?;
        let call = Call {
            state: &state,
            caller: &caller,
            params: &params,
            base: &base,
        };
        dispatch(&name, &call).await
    }
    .await;
    respond(help, answer)
}

async fn dispatch(name: &str, call: &Call<'_>) -> Result<Reply, CkanError> {
    match name {
        "status_show" => catalog::status_show(call),
        "package_list" => catalog::package_list(call).await,
        "package_search" => catalog::package_search(call).await,
        "package_show" => catalog::package_show(call).await,
        "resource_show" => catalog::resource_show(call).await,
        "organization_list" => catalog::organization_list(call).await,
        "organization_show" => catalog::organization_show(call).await,
        "group_list" => catalog::group_list(call).await,
        "group_show" => catalog::group_show(call).await,
        "tag_list" => catalog::tag_list(call).await,
        "datastore_search" => datastore::datastore_search(call).await,
        other => Err(CkanError::unknown_action(other)),
    }
}

/// CKAN's `Authorization` header holds the key itself; `Bearer` and `X-CKAN-API-Key` are
/// accepted as well, and the console's session cookie last.
fn ckan_credential(parts: &Parts) -> Option<String> {
    let header_value = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(value) = header_value(header::AUTHORIZATION.as_str()) {
        let key = value.strip_prefix("Bearer ").unwrap_or(value).trim();
        return Some(key.to_owned());
    }
    if let Some(key) = header_value("x-ckan-api-key") {
        return Some(key.to_owned());
    }
    credential(parts)
}

/// The caller; a credential that does not authenticate is an authorization error, so a
/// client learns its key is bad.
async fn caller(state: &AppState, parts: &Parts) -> Result<Caller, CkanError> {
    let meta = request_meta(parts);
    let authed = match ckan_credential(parts) {
        None => None,
        Some(key) => {
            let principal = identity::authenticate(&state.app, &key).await?;
            Some(Authed {
                principal,
                meta: meta.clone(),
            })
        }
    };
    Ok(Caller { authed, meta })
}

/// The query string of a GET; the JSON (or form) body of a POST.
async fn params(parts: &Parts, body: axum::body::Body) -> Result<Params, CkanError> {
    if parts.method != Method::POST {
        return Ok(Params::from_pairs(parts.uri.query().unwrap_or_default()));
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        CkanError::invalid(
            "body",
            format!("请求内容不能超过{}KiB", BODY_LIMIT / 1024),
            format!("the request body may be at most {} KiB", BODY_LIMIT / 1024),
        )
    })?;
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            CkanError::invalid(
                "body",
                "请求内容不是UTF-8文本",
                "the body is not UTF-8 text",
            )
        })?;
        return Ok(Params::from_pairs(text));
    }
    Params::from_json(&bytes)
}
