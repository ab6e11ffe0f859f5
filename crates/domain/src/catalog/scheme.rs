//! The classification scheme (分类方案, H7, B12): the categories entries are filed under, notes
//! on each grade, and each grade's rules (what it allows and suggests, whether its items are
//! masked). The authority may change it; every change is a new version, and an
//! entry keeps the version it was graded under. Categories marked with a base database (H15,
//! H16) make up the natural-person, legal-person, e-licence, social-credit and natural-resources
//! base databases; thematic categories make up the thematic databases.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::grade::Grade;
use super::grade_rule::GradeRules;
use super::vocabulary;
use crate::{Violation, Violations};

const DEFAULT: &str = include_str!("../../data/classification-default.json");

vocabulary! {
    /// 基础信息资源 / 主题信息资源 / 部门信息资源.
    CategoryGroup, "group", "资源类别" {
        Base = "base", "基础信息资源";
        Thematic = "thematic", "主题信息资源";
        Department = "department", "部门信息资源";
    }
}

vocabulary! {
    /// The base databases of H16.
    BaseDatabase, "base_database", "基础数据库" {
        NaturalPerson = "natural_person", "自然人基础数据库";
        LegalPerson = "legal_person", "法人基础数据库";
        NaturalResourcesSpatial = "natural_resources_spatial", "自然资源和空间地理基础数据库";
        SocialCredit = "social_credit", "社会信用基础数据库";
        ELicence = "e_licence", "电子证照基础数据库";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Three digits; the first part of every resource code filed here.
    pub code: String,
    pub name: String,
    pub group: CategoryGroup,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_database: Option<BaseDatabase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    /// The standards the scheme follows.
    pub basis: String,
    pub categories: Vec<Category>,
    /// What each grade means in this scheme, keyed by grade code.
    pub grade_notes: BTreeMap<String, String>,
    /// What each grade allows and suggests, keyed by grade code. Empty when a submitted scheme
    /// leaves it out (refused by [`Scheme::validate`]) and in versions stored before schemes
    /// carried rules (read through [`Scheme::from_stored`]).
    #[serde(default)]
    pub grade_rules: GradeRules,
}

impl Scheme {
    /// The scheme shipped with the platform: GB/T 43697-2024 grades and the catalog guide's
    /// categories.
    pub fn default_scheme() -> Self {
        let scheme: Scheme = serde_json::from_str(DEFAULT).expect("shipped scheme is valid JSON");
        scheme.validate().expect("shipped scheme passes validation");
        scheme
    }

    /// A stored version. Versions written before schemes carried grade rules were in force
    /// while the platform applied the rules the default scheme now states, so they read with
    /// those; the stored text is left as it is (its SM3 digest is in the audit log).
    pub fn from_stored(definition: &str) -> Result<Self, serde_json::Error> {
        let mut scheme: Scheme = serde_json::from_str(definition)?;
        if scheme.grade_rules.is_empty() {
            scheme.grade_rules = Scheme::default_scheme().grade_rules;
        }
        Ok(scheme)
    }

    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// Codes are three digits and unique, names unique, each base database used at most once,
    /// every grade described and ruled (see [`GradeRules::check`]).
    pub fn validate(&self) -> Result<(), Violations> {
        let mut v = Violations::default();
        v.text("name", "方案名称", &self.name, 100);
        if self.categories.is_empty() {
            v.push(Violation::new(
                "categories",
                "required",
                "至少需要一个资源分类",
                "at least one category is required",
            ));
        }
        let (mut codes, mut names, mut bases) = (HashSet::new(), HashSet::new(), HashSet::new());
        for (i, c) in self.categories.iter().enumerate() {
            let field = format!("categories[{i}]");
            if c.code.len() != 3 || !c.code.bytes().all(|b| b.is_ascii_digit()) {
                v.push(Violation::new(
                    format!("{field}.code"),
                    "bad_category_code",
                    "分类代码须为3位数字",
                    "category code must be three digits",
                ));
            }
            if !codes.insert(&c.code) {
                v.push(Violation::new(
                    format!("{field}.code"),
                    "duplicate_category_code",
                    format!("分类代码{}重复", c.code),
                    format!("category code {} appears twice", c.code),
                ));
            }
            if c.name.trim().is_empty() || !names.insert(c.name.trim()) {
                v.push(Violation::new(
                    format!("{field}.name"),
                    "bad_category_name",
                    "分类名称不能为空且不能重复",
                    "category names must be present and unique",
                ));
            }
            if let Some(b) = c.base_database
                && (c.group != CategoryGroup::Base || !bases.insert(b))
            {
                v.push(Violation::new(
                    format!("{field}.base_database"),
                    "bad_base_database",
                    "基础数据库只能对应一个基础信息资源分类",
                    "a base database maps to exactly one base category",
                ));
            }
        }
        for grade in Grade::all() {
            if self
                .grade_notes
                .get(&grade.code())
                .is_none_or(|n| n.trim().is_empty())
            {
                v.push(Violation::new(
                    "grade_notes",
                    "grade_note_missing",
                    format!("缺少“{}”的级别说明", grade.zh()),
                    format!("grade {grade} has no note"),
                ));
            }
        }
        self.grade_rules.check(&mut v);
        v.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // H7, B12: the default scheme and its base databases (H15, H16).
    #[test]
    fn default_scheme_is_valid_and_maps_every_base_database() {
        let s = Scheme::default_scheme();
        for b in <BaseDatabase as crate::catalog::Vocabulary>::ALL {
            assert_eq!(
                s.categories
                    .iter()
                    .filter(|c| c.base_database == Some(*b))
                    .count(),
                1,
                "{b:?}"
            );
        }
        assert_eq!(s.category("101").unwrap().name, "人口");
    }

    #[test]
    fn scheme_validation_names_problems() {
        let mut s = Scheme::default_scheme();
        s.categories.push(Category {
            code: "101".into(),
            name: "人口".into(),
            group: CategoryGroup::Thematic,
            base_database: Some(BaseDatabase::NaturalPerson),
        });
        s.grade_notes.remove("core");
        let codes: Vec<_> = s.validate().unwrap_err().0.iter().map(|v| v.code).collect();
        assert_eq!(
            codes,
            [
                "duplicate_category_code",
                "bad_category_name",
                "bad_base_database",
                "grade_note_missing"
            ]
        );
    }

    // H7: a version stored before schemes carried grade rules reads with the rules the
    // platform applied then; a submitted scheme without rules is refused on each grade.
    #[test]
    fn schemes_without_grade_rules() {
        let mut legacy = serde_json::to_value(Scheme::default_scheme()).unwrap();
        legacy.as_object_mut().unwrap().remove("grade_rules");
        let text = legacy.to_string();
        let stored = Scheme::from_stored(&text).unwrap();
        assert_eq!(stored, Scheme::default_scheme());
        let submitted: Scheme = serde_json::from_str(&text).unwrap();
        let errors = submitted.validate().unwrap_err();
        assert_eq!(errors.0.len(), 6, "{errors}");
        assert!(errors.0.iter().all(|v| v.code == "grade_rule_missing"));
        assert!(Scheme::from_stored("{").is_err());
    }
}
