//! DCAT-AP 3 (the EU application profile of W3C DCAT) descriptions of the open catalog, for
//! harvesters: the catalog at `/catalog.ttl`, `/catalog.jsonld` and `/catalog.rdf`, and each
//! open dataset at `/dataset/{code}.ttl|.jsonld|.rdf`. The catalog is paged (`?page=N`, 500
//! datasets a page, in code order) and says so with hydra paging (first, last, previous,
//! next, total). Written with Oxigraph's serialisers (oxrdfio).

mod graph;
mod vocab;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongshu_app::interop;
use oxrdfio::{RdfFormat, RdfSerializer};
use serde::Deserialize;

use self::graph::{Graph, PageFacts};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Datasets on one page of the catalog.
const PER_PAGE: usize = 500;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/catalog.ttl", get(catalog_ttl))
        .route("/catalog.jsonld", get(catalog_jsonld))
        .route("/catalog.rdf", get(catalog_rdf))
        .route("/dataset/{file}", get(dataset))
}

/// The three serialisations, by file extension.
#[derive(Debug, Clone, Copy)]
enum Syntax {
    Turtle,
    JsonLd,
    RdfXml,
}

impl Syntax {
    fn of_extension(ext: &str) -> Option<Self> {
        match ext {
            "ttl" => Some(Self::Turtle),
            "jsonld" => Some(Self::JsonLd),
            "rdf" => Some(Self::RdfXml),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Turtle => "ttl",
            Self::JsonLd => "jsonld",
            Self::RdfXml => "rdf",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Turtle => "text/turtle; charset=utf-8",
            Self::JsonLd => "application/ld+json",
            Self::RdfXml => "application/rdf+xml",
        }
    }

    fn format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: oxrdfio::JsonLdProfileSet::empty(),
            },
            Self::RdfXml => RdfFormat::RdfXml,
        }
    }
}

/// The triples in `syntax`; a serialiser that fails says why, for the internal error.
fn serialize(graph: &Graph, syntax: Syntax) -> Result<Vec<u8>, String> {
    let mut serializer = RdfSerializer::from_format(syntax.format());
    for (prefix, namespace) in vocab::PREFIXES {
        serializer = serializer
            .with_prefix(prefix, namespace)
            .map_err(|e| e.to_string())?;
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in &graph.triples {
        writer.serialize_triple(triple).map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())
}

/// The document in `syntax` with its media type.
fn render(graph: &Graph, syntax: Syntax) -> Response {
    let body = match serialize(graph, syntax) {
        Ok(body) => body,
        Err(e) => {
            let internal = gongshu_app::AppError::Internal(format!("RDF output: {e}"));
            return ApiError::from(internal).into_response();
        }
    };
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(syntax.content_type()),
    );
    res
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    page: Option<usize>,
}

async fn catalog_ttl(state: State<AppState>, q: ApiQuery<PageQuery>, parts: Parts) -> Response {
    catalog(state, q, parts, Syntax::Turtle)
        .await
        .into_response()
}

async fn catalog_jsonld(state: State<AppState>, q: ApiQuery<PageQuery>, parts: Parts) -> Response {
    catalog(state, q, parts, Syntax::JsonLd)
        .await
        .into_response()
}

async fn catalog_rdf(state: State<AppState>, q: ApiQuery<PageQuery>, parts: Parts) -> Response {
    catalog(state, q, parts, Syntax::RdfXml)
        .await
        .into_response()
}

/// One page of the catalog (the first when no page is named).
async fn catalog(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
    parts: Parts,
    syntax: Syntax,
) -> ApiResult<Response> {
    let base = crate::public_url::base_url(&parts, &state);
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "页码从1开始",
            "pages start at 1",
        ));
    }
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let (total, datasets) = interop::datasets_page(&state.app, offset, PER_PAGE).await?;
    let last = usize::try_from(total.div_ceil(PER_PAGE as u64))
        .unwrap_or(usize::MAX)
        .max(1);
    if page > last {
        return Err(ApiError::not_found());
    }
    let publisher = interop::catalog_publisher(&state.app).await?;
    let topics: Vec<interop::Topic> = interop::topic_counts(&state.app)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let ext = syntax.extension();
    let page_base = base.clone();
    let facts = PageFacts {
        this: format!("{base}/catalog.{ext}?page={page}"),
        page_url: Box::new(move |n| format!("{page_base}/catalog.{ext}?page={n}")),
        page,
        last,
        per_page: PER_PAGE,
        total,
    };
    let mut graph = Graph::new(&base);
    graph.catalog(&publisher, &topics, &datasets, Some(&facts));
    Ok(render(&graph, syntax))
}

/// One open dataset: `/dataset/{code}.ttl`, `.jsonld` or `.rdf`.
async fn dataset(
    State(state): State<AppState>,
    Path(file): Path<String>,
    parts: Parts,
) -> ApiResult<Response> {
    let (code, syntax) = file
        .rsplit_once('.')
        .and_then(|(code, ext)| Some((code, Syntax::of_extension(ext)?)))
        .ok_or_else(ApiError::not_found)?;
    let base = crate::public_url::base_url(&parts, &state);
    let d = interop::dataset(&state.app, code).await?;
    let mut graph = Graph::new(&base);
    graph.dataset(&d);
    Ok(render(&graph, syntax))
}
