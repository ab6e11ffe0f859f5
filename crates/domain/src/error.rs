//! Validation failures as data: every rule that rejects input says which field, a stable code,
//! and a sentence in Chinese and English, so each door can render it without knowing the rule.

use std::fmt;

/// Why an identifier (citizen ID, credit code) failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdDefect {
    #[error("must be exactly 18 characters")]
    Length,
    #[error("contains a character outside the allowed alphabet")]
    Alphabet,
    #[error("the birth date is not a real calendar date")]
    BirthDate,
    #[error("the birth date lies in the future")]
    FutureBirthDate,
    #[error("the check character does not match")]
    Checksum,
}

impl IdDefect {
    pub fn zh(self) -> &'static str {
        match self {
            IdDefect::Length => "长度必须为18位",
            IdDefect::Alphabet => "含有不允许的字符",
            IdDefect::BirthDate => "出生日期不是有效日期",
            IdDefect::FutureBirthDate => "出生日期晚于今天",
            IdDefect::Checksum => "校验码不正确",
        }
    }
}

/// One broken rule on one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl Violation {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn required(field: &str, zh_name: &str) -> Self {
        Self::new(
            field,
            "required",
            format!("{zh_name}不能为空"),
            format!("{field} is required"),
        )
    }

    pub fn too_long(field: &str, zh_name: &str, max: usize) -> Self {
        Self::new(
            field,
            "too_long",
            format!("{zh_name}不能超过{max}个字符"),
            format!("{field} must be at most {max} characters"),
        )
    }

    pub fn bad_citizen_id(field: &str, defect: IdDefect) -> Self {
        Self::new(
            field,
            "invalid_citizen_id",
            format!("公民身份号码无效：{}", defect.zh()),
            format!("invalid citizen ID: {defect}"),
        )
    }

    pub fn bad_credit_code(field: &str, defect: IdDefect) -> Self {
        Self::new(
            field,
            "invalid_credit_code",
            format!("统一社会信用代码无效：{}", defect.zh()),
            format!("invalid unified social credit code: {defect}"),
        )
    }
}

/// All the rules an input broke, collected so the user can fix them in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct Violations(pub Vec<Violation>);

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|v| format!("{}: {}", v.field, v.en))
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl Violations {
    pub fn push(&mut self, v: Violation) {
        self.0.push(v);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was broken, so rules can end with `violations.into_result()?`.
    pub fn into_result(self) -> Result<(), Violations> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Checks a required, length-bounded text field and returns it trimmed.
    pub fn text(&mut self, field: &str, zh_name: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.push(Violation::required(field, zh_name));
        } else if trimmed.chars().count() > max {
            self.push(Violation::too_long(field, zh_name, max));
        }
        trimmed.to_owned()
    }
}

impl From<Violation> for Violations {
    fn from(v: Violation) -> Self {
        Violations(vec![v])
    }
}
