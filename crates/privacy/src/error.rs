//! Why a masking rule, a platform secret or a policy salt was refused. Only construction can
//! fail: once a rule exists, applying it never errors (bad values are masked to NULL).

use gongshu_domain::Violation;

/// A masking rule or key that cannot be built, with a stable code and Chinese and English text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("a keep rule may keep at most {max} characters in all, not {first} + {last}")]
    KeepTooMuch {
        first: usize,
        last: usize,
        max: usize,
    },
    #[error("a range bucket needs a width of at least 1")]
    ZeroWidth,
    #[error("generalising to a range needs a width")]
    MissingWidth,
    #[error("generalising to `{to}` takes no width")]
    UnexpectedWidth { to: &'static str },
    #[error("the platform secret must be at least {min} bytes, got {len}")]
    SecretTooShort { len: usize, min: usize },
}

impl RuleError {
    /// Stable machine-readable code for API answers.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::KeepTooMuch { .. } => "mask_keep_too_much",
            RuleError::ZeroWidth => "mask_zero_width",
            RuleError::MissingWidth => "mask_missing_width",
            RuleError::UnexpectedWidth { .. } => "mask_unexpected_width",
            RuleError::SecretTooShort { .. } => "mask_secret_too_short",
        }
    }

    /// The same sentence in Chinese.
    pub fn zh(&self) -> String {
        match self {
            RuleError::KeepTooMuch { first, last, max } => {
                format!("保留首尾字符的规则最多保留{max}个字符，当前为前{first}后{last}")
            }
            RuleError::ZeroWidth => "区间泛化的宽度至少为1".into(),
            RuleError::MissingWidth => "泛化为区间时必须给出宽度".into(),
            RuleError::UnexpectedWidth { to } => format!("泛化为“{to}”时不应给出宽度"),
            RuleError::SecretTooShort { len, min } => {
                format!("平台密钥至少{min}字节，当前为{len}字节")
            }
        }
    }

    /// As a field violation, for forms and imports that collect every broken rule.
    pub fn to_violation(&self, field: &str) -> Violation {
        Violation::new(field, self.code(), self.zh(), self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_speaks_chinese_and_english_with_a_stable_code() {
        let all = [
            RuleError::KeepTooMuch {
                first: 30,
                last: 4,
                max: 32,
            },
            RuleError::ZeroWidth,
            RuleError::MissingWidth,
            RuleError::UnexpectedWidth { to: "year" },
            RuleError::SecretTooShort { len: 3, min: 16 },
        ];
        let mut codes: Vec<&str> = all.iter().map(RuleError::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for e in &all {
            let v = e.to_violation("masking_rule");
            assert_eq!(v.field, "masking_rule");
            assert!(v.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
            assert!(!v.en.is_empty());
        }
    }
}
