//! The share mode a read hands rows over in (共享方式, H20: a grant gives the minimum — its
//! items, its rows, its modes). A reader names it; a read through another agency's grant
//! needs a live grant for exactly that mode. As an API query (`api_query`) the answer through
//! a grant is one page of at most the largest page, with a cursor to the next, however it was
//! asked — so no query turns into a download; as a bulk download (`bulk_download`) the whole
//! result streams. The owner's and open data stream whole in either mode unless a page is
//! asked for. Verification (核验比对) hands over no rows and has its own door.

use gongshu_domain::Violation;
use gongshu_domain::catalog::ShareMode;
use serde::{Deserialize, Serialize};

use super::policy::PolicySource;

/// A share mode that hands rows over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// 接口查询: pages through a grant.
    ApiQuery,
    /// 批量下载: everything at once.
    BulkDownload,
}

impl ReadMode {
    /// Reads `api_query` or `bulk_download`; anything else is refused on the `mode` field.
    pub fn parse(s: &str) -> Result<Self, Violation> {
        match s.trim() {
            "api_query" => Ok(Self::ApiQuery),
            "bulk_download" => Ok(Self::BulkDownload),
            _ => Err(Violation::new(
                "mode",
                "invalid",
                "共享方式应为 api_query（接口查询）或 bulk_download（批量下载）",
                "mode must be api_query or bulk_download",
            )),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::ApiQuery => "api_query",
            Self::BulkDownload => "bulk_download",
        }
    }

    pub(super) fn share_mode(self) -> ShareMode {
        match self {
            Self::ApiQuery => ShareMode::ApiQuery,
            Self::BulkDownload => ShareMode::BulkDownload,
        }
    }
}

/// A page as a reader asks for it: at most `limit` rows, after the `cursor` a previous page
/// handed out.
#[derive(Debug, Clone, Default)]
pub struct PageAsked {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

impl PageAsked {
    /// The page a read answers with, as (limit, cursor): the one asked for; for an API query
    /// through a sharing grant at most `max` rows even when no page was asked for; otherwise
    /// `None`, every row.
    pub(super) fn resolve(
        self,
        mode: ReadMode,
        source: PolicySource,
        max: usize,
    ) -> Option<(usize, Option<String>)> {
        match (self.limit, mode, source) {
            (Some(limit), _, _) => Some((limit, self.cursor)),
            (None, ReadMode::ApiQuery, PolicySource::Grant) => Some((max, self.cursor)),
            (None, _, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h20_an_api_query_through_a_grant_is_always_a_page() {
        let asked = |limit, cursor: Option<&str>| PageAsked {
            limit,
            cursor: cursor.map(str::to_owned),
        };
        let (api, bulk) = (ReadMode::ApiQuery, ReadMode::BulkDownload);
        assert_eq!(
            asked(None, Some("100")).resolve(api, PolicySource::Grant, 500),
            Some((500, Some("100".to_owned())))
        );
        assert_eq!(
            asked(None, None).resolve(bulk, PolicySource::Grant, 500),
            None
        );
        assert_eq!(
            asked(None, None).resolve(api, PolicySource::Owner, 500),
            None
        );
        assert_eq!(
            asked(Some(10), None).resolve(bulk, PolicySource::Open, 500),
            Some((10, None))
        );
        assert_eq!(ReadMode::parse("bulk_download"), Ok(bulk));
        assert!(ReadMode::parse("verification").is_err());
    }
}
