//! The licence (开放协议) every open dataset is offered under: the text the authority sets as
//! the platform setting `open_licence` (a JSON string: title line, then one clause a line),
//! or, until it does, the default below — free use with attribution, no re-identification,
//! conditional data only as approved.

use gongshu_store::settings;
use serde::Serialize;

use crate::{App, AppError, Result};

/// The setting the authority's licence text is kept under.
pub(crate) const LICENCE_SETTING: &str = "open_licence";

/// The licence until the authority sets its own.
pub const DEFAULT_LICENCE: &str = "\
公共数据开放协议
一、数据使用者可以免费获取本平台无条件开放的公共数据，并可复制、传播、加工和利用，包括用于商业目的。
二、使用或传播数据及其加工成果时，应注明数据来源为本平台及数据提供单位，不得歪曲数据原意。
三、不得利用开放数据从事违反法律法规、危害国家安全和社会公共利益、损害他人合法权益的活动；不得以任何方式重新识别已脱敏处理的个人信息。
四、有条件开放的数据须经申请并获批准后，按批准的用途、范围、方式和期限使用，并落实申请时承诺的安全保护措施。
五、数据提供单位对数据的真实性、准确性负责，但不对使用者利用数据产生的结果承担责任；发现数据有误或遗漏，可通过本平台纠错。
六、数据因异议、风险或法律法规要求被暂停或撤回开放的，使用者应停止使用相应数据的后续更新。";

/// The licence in force, for a page.
#[derive(Debug, Clone, Serialize)]
pub struct Licence {
    /// The title: the first line.
    pub title: String,
    /// The clauses: the other non-empty lines.
    pub clauses: Vec<String>,
    /// The authority has not set its own text yet.
    pub is_default: bool,
}

impl Licence {
    fn of(text: &str, is_default: bool) -> Self {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        Self {
            title: lines.next().unwrap_or("公共数据开放协议").to_owned(),
            clauses: lines.map(str::to_owned).collect(),
            is_default,
        }
    }
}

/// The authority's licence text, or the default.
pub async fn licence(app: &App) -> Result<Licence> {
    let mut conn = app.db.acquire().await?;
    let set = settings::get_setting(&mut conn, LICENCE_SETTING).await?;
    drop(conn);
    // A stored text that does not read is an error, never silently the default.
    let text: Option<String> = set
        .map(|json| serde_json::from_str(&json))
        .transpose()
        .map_err(|e| AppError::Internal(format!("stored {LICENCE_SETTING}: {e}")))?;
    Ok(
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => Licence::of(text, false),
            None => Licence::of(DEFAULT_LICENCE, true),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_licence_has_a_title_and_six_clauses() {
        let l = Licence::of(DEFAULT_LICENCE, true);
        assert_eq!(l.title, "公共数据开放协议");
        assert_eq!(l.clauses.len(), 6);
        assert!(l.clauses[0].starts_with("一、"));
    }
}
