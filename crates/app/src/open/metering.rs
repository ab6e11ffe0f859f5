//! Metering of open data (开放数据计量, H26, issue 14 item 2): every download and API data
//! read of open data is counted — dataset, channel, reader (account, API token or client
//! address), rows and bytes — where its delivery is recorded: the `deliver_data` audit event
//! and the counter row are written in one transaction when the body ends
//! (`data::delivery`), so the counters never disagree with the audit log, streaming holds no
//! connection, and the hot path costs one upsert per dataset read. The portal's figures and a
//! dataset's usage are sums of these counters.

use gongshu_domain::catalog::ShareMode;
use gongshu_store::Conn;
use gongshu_store::open::{self, UsageAdd};

use crate::data::Reader;
use crate::{App, AuthVia, Result};

/// How open data left the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// 批量下载: the whole (filtered) dataset in a file.
    Download,
    /// 接口调用: a page, an aggregate or a SQL answer through the data API.
    Api,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Self::Download => "download",
            Self::Api => "api",
        }
    }

    /// The channel of a read in a share mode.
    pub(crate) fn of(mode: ShareMode) -> Self {
        match mode {
            ShareMode::BulkDownload => Self::Download,
            ShareMode::ApiQuery | ShareMode::Verification => Self::Api,
        }
    }
}

/// What one delivery adds to the counters: the open datasets it read (a SQL answer may read
/// several; each counts the whole answer once), through which channel, for whom.
#[derive(Debug, Clone)]
pub(crate) struct Metering {
    entry_ids: Vec<String>,
    channel: Channel,
    reader: String,
}

impl Metering {
    /// `None` when no open dataset was read (the owner's own data, a sharing grant).
    pub(crate) fn of(entry_ids: Vec<String>, channel: Channel, reader: Reader<'_>) -> Option<Self> {
        (!entry_ids.is_empty()).then(|| Self {
            entry_ids,
            channel,
            reader: reader_key(reader),
        })
    }

    /// Adds the delivery to today's counters, inside the transaction that records it.
    pub(crate) async fn count(
        &self,
        app: &App,
        tx: &mut Conn,
        rows: u64,
        bytes: u64,
    ) -> Result<()> {
        let day = crate::calendar::today(app).to_string();
        for entry_id in &self.entry_ids {
            open::add_usage(
                tx,
                UsageAdd {
                    day: &day,
                    entry_id,
                    channel: self.channel.code(),
                    reader: &self.reader,
                    rows: i64::try_from(rows).unwrap_or(i64::MAX),
                    bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// Whom a read is counted against: the API token it came with, else the signed-in account,
/// else the anonymous client's address.
fn reader_key(reader: Reader<'_>) -> String {
    match reader {
        Reader::Signed(ctx) => match &ctx.principal.via {
            AuthVia::Token(id) => format!("token:{id}"),
            AuthVia::Session(_) | AuthVia::Cli => format!("account:{}", ctx.principal.account_id),
        },
        Reader::Anonymous(meta) => format!("address:{}", meta.client_addr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h26_downloads_and_api_reads_are_counted_apart() {
        assert_eq!(Channel::of(ShareMode::BulkDownload), Channel::Download);
        assert_eq!(Channel::of(ShareMode::ApiQuery), Channel::Api);
        let meta = crate::RequestMeta {
            request_id: "r".into(),
            client_addr: "203.0.113.7".into(),
        };
        let anonymous = Reader::Anonymous(&meta);
        assert!(Metering::of(Vec::new(), Channel::Api, anonymous).is_none());
        let m = Metering::of(vec!["e1".into()], Channel::Download, anonymous).unwrap();
        assert_eq!(m.reader, "address:203.0.113.7");
    }
}
