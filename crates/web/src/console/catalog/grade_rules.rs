//! The grade rules of a classification scheme as the pages show them (H7, H36): per grade, the
//! share and open types it allows, the ones it suggests, and whether its items are masked by
//! default. The scheme page lists them; the entry form shows those in force beside the types.

use gongshu_domain::catalog::{Grade, OpenType, Scheme, ShareType, Vocabulary};
use serde::Serialize;

/// One grade's rule in Chinese.
#[derive(Serialize)]
pub struct GradeRuleRow {
    pub grade: String,
    pub grade_zh: String,
    pub note: String,
    pub share_types: String,
    pub open_types: String,
    /// `None` when the grade suggests no share type.
    pub suggested_share_type: Option<&'static str>,
    pub suggested_open_type: Option<&'static str>,
    pub masked: bool,
}

fn zh_list<V: Vocabulary>(values: &[V]) -> String {
    values.iter().map(|v| v.zh()).collect::<Vec<_>>().join("、")
}

/// Every grade in order, with its note and rule (a grade the scheme has no rule for shows
/// none allowed; a stored scheme always has one).
pub fn rows(scheme: &Scheme) -> Vec<GradeRuleRow> {
    Grade::all()
        .into_iter()
        .map(|g| {
            let rule = scheme.grade_rules.rule(g);
            GradeRuleRow {
                grade: g.code(),
                grade_zh: g.zh(),
                note: scheme
                    .grade_notes
                    .get(&g.code())
                    .cloned()
                    .unwrap_or_default(),
                share_types: rule.map(|r| zh_list(&r.share_types)).unwrap_or_default(),
                open_types: rule.map(|r| zh_list(&r.open_types)).unwrap_or_default(),
                suggested_share_type: rule.and_then(|r| r.suggested_share_type).map(ShareType::zh),
                suggested_open_type: rule.and_then(|r| r.suggested_open_type).map(OpenType::zh),
                masked: rule.is_none_or(|r| r.masks()),
            }
        })
        .collect()
}
