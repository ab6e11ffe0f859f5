//! What search engines read: `/robots.txt` (the portal and its assets may be crawled, nothing
//! else) and `/sitemap.xml` (the portal's pages and every open dataset's page with when it
//! last changed; a sitemap index of `?page=N` files when one file would hold too many).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongshu_app::open::{SitemapPage, sitemap_page};
use serde::Deserialize;

use super::page::{Origin, PortalError, PortalQuery};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SitemapParams {
    /// One file of a sitemap index (from 1).
    page: Option<usize>,
}

pub async fn robots(Origin(origin): Origin) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /open\nAllow: /assets/\nAllow: /sitemap.xml\nDisallow: /\n\nSitemap: {origin}/sitemap.xml\n"
    );
    text(body, "text/plain; charset=utf-8")
}

pub async fn sitemap(
    State(state): State<AppState>,
    Origin(origin): Origin,
    PortalQuery(params): PortalQuery<SitemapParams>,
) -> Result<Response, PortalError> {
    let page = sitemap_page(&state.app, params.page.unwrap_or(1)).await?;
    let body = match params.page {
        None if page.pages > 1 => index(&origin, page.pages),
        _ => urlset(&origin, &page, params.page.unwrap_or(1) == 1),
    };
    Ok(text(body, "application/xml; charset=utf-8"))
}

/// A sitemap file: the portal's own pages on the first, then the datasets.
fn urlset(origin: &str, page: &SitemapPage, first: bool) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    if first {
        for path in ["/open", "/open/datasets"] {
            out.push_str(&format!("<url><loc>{origin}{path}</loc></url>\n"));
        }
    }
    for (code, changed) in &page.entries {
        out.push_str(&format!(
            "<url><loc>{origin}/open/datasets/{}</loc><lastmod>{changed}</lastmod></url>\n",
            xml_escape(code)
        ));
    }
    out.push_str("</urlset>\n");
    out
}

/// A sitemap index of `pages` files.
fn index(origin: &str, pages: usize) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=pages {
        out.push_str(&format!(
            "<sitemap><loc>{origin}/sitemap.xml?page={n}</loc></sitemap>\n"
        ));
    }
    out.push_str("</sitemapindex>\n");
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn text(body: String, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sitemap_lists_the_portal_then_the_datasets() {
        let page = SitemapPage {
            total: 1,
            pages: 1,
            entries: vec![("101-00001".into(), "2025-06-30T09:00:00+08:00".into())],
        };
        let xml = urlset("https://data.example.cn", &page, true);
        assert!(xml.contains("<loc>https://data.example.cn/open</loc>"));
        assert!(xml.contains(
            "<url><loc>https://data.example.cn/open/datasets/101-00001</loc><lastmod>2025-06-30T09:00:00+08:00</lastmod></url>"
        ));
        let idx = index("https://data.example.cn", 2);
        assert!(idx.contains("<loc>https://data.example.cn/sitemap.xml?page=2</loc>"));
        assert_eq!(xml_escape("a&b<c"), "a&amp;b&lt;c");
    }
}
