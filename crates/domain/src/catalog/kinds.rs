//! The closed vocabularies of a catalog entry.

use chrono::Duration;

use super::vocabulary;

vocabulary! {
    /// 共享类型 (H18).
    ShareType, "share_type", "共享类型" {
        Unconditional = "unconditional", "无条件共享";
        Conditional = "conditional", "有条件共享";
        NotShared = "not_shared", "不予共享";
    }
}

vocabulary! {
    /// 开放属性 (H25).
    OpenType, "open_type", "开放属性" {
        Unconditional = "unconditional", "无条件开放";
        Conditional = "conditional", "有条件开放";
        NotOpen = "not_open", "非开放";
    }
}

vocabulary! {
    /// Why data is not open (H25 (一)).
    NotOpenReason, "not_open_reason", "不开放理由" {
        CommercialSecret = "commercial_secret", "涉及商业秘密";
        Privacy = "privacy", "涉及个人隐私";
        LegalBar = "legal_bar", "法律法规规定不得开放";
    }
}

vocabulary! {
    /// 共享方式: how a grantee receives shared data.
    ShareMode, "share_modes", "共享方式" {
        ApiQuery = "api_query", "接口查询";
        BulkDownload = "bulk_download", "批量下载";
        Verification = "verification", "核验比对";
    }
}

vocabulary! {
    /// 数据形式 of the government information resource catalog.
    DataForm, "data_form", "数据形式" {
        ElectronicFile = "electronic_file", "电子文件";
        Spreadsheet = "spreadsheet", "电子表格";
        Database = "database", "数据库";
        Image = "image", "图形图像";
        Streaming = "streaming", "流媒体";
        SelfDescribing = "self_describing", "自描述格式";
        ServiceInterface = "service_interface", "服务接口";
    }
}

vocabulary! {
    /// 更新频率 (H8, H12).
    UpdateFrequency, "update_frequency", "更新频率" {
        RealTime = "real_time", "实时";
        Daily = "daily", "每日";
        Weekly = "weekly", "每周";
        Monthly = "monthly", "每月";
        Quarterly = "quarterly", "每季度";
        HalfYearly = "half_yearly", "每半年";
        Yearly = "yearly", "每年";
        Irregular = "irregular", "不定期";
    }
}

impl UpdateFrequency {
    /// The longest a provider may leave the data unchanged before it is overdue (H12);
    /// `None` for irregular updates, which are never overdue by the calendar alone. Real-time
    /// feeds must have delivered within the day.
    pub fn max_age(self) -> Option<Duration> {
        match self {
            UpdateFrequency::RealTime | UpdateFrequency::Daily => Some(Duration::days(1)),
            UpdateFrequency::Weekly => Some(Duration::days(7)),
            UpdateFrequency::Monthly => Some(Duration::days(31)),
            UpdateFrequency::Quarterly => Some(Duration::days(92)),
            UpdateFrequency::HalfYearly => Some(Duration::days(183)),
            UpdateFrequency::Yearly => Some(Duration::days(366)),
            UpdateFrequency::Irregular => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Vocabulary;

    #[test]
    fn codes_and_chinese_labels_both_parse() {
        assert_eq!(
            ShareType::parse("conditional").unwrap(),
            ShareType::Conditional
        );
        assert_eq!(
            ShareType::parse("有条件共享").unwrap(),
            ShareType::Conditional
        );
        let err = OpenType::parse("half_open").unwrap_err();
        assert_eq!(err.field, "open_type");
        assert!(err.zh.contains("无条件开放"));
    }

    #[test]
    fn every_vocabulary_has_distinct_codes() {
        fn distinct<V: Vocabulary>() {
            let mut codes: Vec<&str> = V::ALL.iter().map(|v| v.code()).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), V::ALL.len());
        }
        distinct::<ShareType>();
        distinct::<OpenType>();
        distinct::<NotOpenReason>();
        distinct::<ShareMode>();
        distinct::<DataForm>();
        distinct::<UpdateFrequency>();
    }

    // Stored JSON (a version's columns, a share request's modes) names a vocabulary by its
    // code, so serde must read and write exactly the code, also where the code is not the
    // variant's snake case (`datetime`, `minor_under_14`).
    #[test]
    fn every_vocabulary_serialises_as_its_code() {
        fn as_code<V: Vocabulary + serde::Serialize + serde::de::DeserializeOwned + PartialEq>() {
            for &v in V::ALL {
                let text = serde_json::to_string(&v).unwrap();
                assert_eq!(text, format!("\"{}\"", v.code()));
                assert!(serde_json::from_str::<V>(&text).unwrap() == v);
            }
        }
        as_code::<ShareType>();
        as_code::<OpenType>();
        as_code::<NotOpenReason>();
        as_code::<ShareMode>();
        as_code::<DataForm>();
        as_code::<UpdateFrequency>();
        as_code::<DataType>();
        as_code::<crate::catalog::SensitiveKind>();
        as_code::<crate::catalog::CategoryGroup>();
        as_code::<crate::catalog::BaseDatabase>();
    }

    // H12: the frequency bounds how stale a version may get.
    #[test]
    fn frequencies_order_their_max_age() {
        let ages: Vec<_> = UpdateFrequency::ALL
            .iter()
            .filter_map(|f| f.max_age())
            .collect();
        assert!(ages.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(UpdateFrequency::Irregular.max_age(), None);
    }
}

vocabulary! {
    /// The type of a data item's values, which drives coercion and validity checks on upload.
    DataType, "data_type", "数据类型" {
        Text = "text", "文本";
        Integer = "integer", "整数";
        Decimal = "decimal", "小数";
        Date = "date", "日期";
        DateTime = "datetime", "日期时间";
        Boolean = "boolean", "布尔";
        CitizenId = "citizen_id", "公民身份号码";
        CreditCode = "credit_code", "统一社会信用代码";
    }
}
