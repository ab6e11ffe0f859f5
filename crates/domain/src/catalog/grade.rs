//! Grades (分级) per GB/T 43697-2024 (H7, B12). What a grade allows and suggests — share and
//! open types, masking — is not fixed here: it is a rule of the classification scheme the
//! authority sets and versions (`grade_rule`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::vocabulary;
use crate::Violation;

/// How serious the harm of a leak would be. Ordered from least to most sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Grade {
    /// 一般数据, level 1 (no harm, publishable) to 4 (especially serious harm).
    General(GeneralLevel),
    /// 重要数据.
    Important,
    /// 核心数据.
    Core,
}

/// A level 1–4 of general data; private so only valid levels exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GeneralLevel(u8);

impl GeneralLevel {
    pub fn new(level: u8) -> Option<Self> {
        (1..=4).contains(&level).then_some(Self(level))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl Grade {
    pub fn general(level: u8) -> Option<Self> {
        GeneralLevel::new(level).map(Grade::General)
    }

    pub fn all() -> Vec<Grade> {
        let mut all: Vec<Grade> = (1..=4).filter_map(Grade::general).collect();
        all.extend([Grade::Important, Grade::Core]);
        all
    }

    pub fn code(self) -> String {
        match self {
            Grade::General(l) => format!("general_{}", l.0),
            Grade::Important => "important".into(),
            Grade::Core => "core".into(),
        }
    }

    pub fn zh(self) -> String {
        match self {
            Grade::General(l) => format!("一般数据（{}级）", l.0),
            Grade::Important => "重要数据".into(),
            Grade::Core => "核心数据".into(),
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, Violation> {
        let raw = raw.trim();
        let found = match raw {
            "core" | "核心数据" => Some(Grade::Core),
            "important" | "重要数据" => Some(Grade::Important),
            other => other
                .strip_prefix("general_")
                .and_then(|l| l.parse::<u8>().ok())
                .and_then(Grade::general)
                .or_else(|| {
                    Grade::all().into_iter().find(|g| {
                        g.zh().replace(['（', '）'], "")
                            == other.replace(['（', '）', '(', ')'], "")
                    })
                }),
        };
        found.ok_or_else(|| {
            Violation::new(
                field,
                "unknown_grade",
                format!("数据级别“{raw}”无效，可选：一般数据1至4级（general_1…general_4）、重要数据（important）、核心数据（core）"),
                format!("grade `{raw}` is not one of general_1..general_4, important, core"),
            )
        })
    }

    /// The Chinese label of a stored grade code, or the code itself when it is unknown.
    pub fn label_zh(code: &str) -> String {
        Grade::parse("grade", code)
            .map(Grade::zh)
            .unwrap_or_else(|_| code.to_owned())
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl TryFrom<String> for Grade {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Grade::parse("grade", &s).map_err(|v| v.en)
    }
}

impl From<Grade> for String {
    fn from(g: Grade) -> Self {
        g.code()
    }
}

vocabulary! {
    /// Sensitive personal information kinds (PIPL art. 28).
    SensitiveKind, "sensitive_kind", "敏感个人信息类型" {
        Biometric = "biometric", "生物识别";
        Religion = "religion", "宗教信仰";
        SpecificIdentity = "specific_identity", "特定身份";
        MedicalHealth = "medical_health", "医疗健康";
        FinancialAccount = "financial_account", "金融账户";
        Whereabouts = "whereabouts", "行踪轨迹";
        MinorUnder14 = "minor_under_14", "不满十四周岁未成年人信息";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_parse_and_order() {
        assert_eq!(
            Grade::parse("grade", "general_3").unwrap(),
            Grade::general(3).unwrap()
        );
        assert_eq!(Grade::parse("grade", "重要数据").unwrap(), Grade::Important);
        assert_eq!(
            Grade::parse("grade", "一般数据（4级）").unwrap(),
            Grade::general(4).unwrap()
        );
        assert!(Grade::parse("grade", "general_5").is_err());
        assert!(Grade::general(4).unwrap() < Grade::Important && Grade::Important < Grade::Core);
    }
}
