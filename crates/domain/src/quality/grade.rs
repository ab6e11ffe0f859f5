//! The grade of quality (质量等级) the open-data portal files a dataset under: its current
//! version's overall score in four bands, so a visitor can narrow a search to well-kept data
//! without reading numbers. The bands are the usual Chinese ones (优秀 / 良好 / 合格 / 待改进);
//! a dataset without a scored version is 未评分, never counted as poor.

use crate::catalog::vocabulary;

vocabulary! {
    /// 质量等级 of an open dataset, from its current version's overall score.
    QualityGrade, "quality", "质量等级" {
        Excellent = "excellent", "优秀";
        Good = "good", "良好";
        Fair = "fair", "合格";
        Poor = "poor", "待改进";
        Unscored = "unscored", "未评分";
    }
}

impl QualityGrade {
    /// The grade of an overall score (0–100): 优秀 from 90, 良好 from 75, 合格 from 60, else
    /// 待改进; 未评分 when there is no score (no data yet, or a version from before scoring).
    /// A score that is not a number is no score.
    pub fn of(overall: Option<f64>) -> Self {
        match overall.filter(|s| s.is_finite()) {
            None => Self::Unscored,
            Some(s) if s >= 90.0 => Self::Excellent,
            Some(s) if s >= 75.0 => Self::Good,
            Some(s) if s >= 60.0 => Self::Fair,
            Some(_) => Self::Poor,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::Vocabulary;

    // H11, B17: the bands' edges belong to the better grade.
    #[test]
    fn h11_grades_start_at_their_lower_edge() {
        assert_eq!(QualityGrade::of(Some(100.0)), QualityGrade::Excellent);
        assert_eq!(QualityGrade::of(Some(90.0)), QualityGrade::Excellent);
        assert_eq!(QualityGrade::of(Some(89.9)), QualityGrade::Good);
        assert_eq!(QualityGrade::of(Some(75.0)), QualityGrade::Good);
        assert_eq!(QualityGrade::of(Some(74.9)), QualityGrade::Fair);
        assert_eq!(QualityGrade::of(Some(60.0)), QualityGrade::Fair);
        assert_eq!(QualityGrade::of(Some(59.9)), QualityGrade::Poor);
        assert_eq!(QualityGrade::of(Some(0.0)), QualityGrade::Poor);
        assert_eq!(QualityGrade::of(None), QualityGrade::Unscored);
        assert_eq!(QualityGrade::of(Some(f64::NAN)), QualityGrade::Unscored);
        assert_eq!(QualityGrade::parse("良好").unwrap(), QualityGrade::Good);
    }

    proptest! {
        // A higher score never gets a worse grade.
        #[test]
        fn h11_grades_follow_the_score(a in 0.0f64..=100.0, b in 0.0f64..=100.0) {
            let rank = |g: QualityGrade| QualityGrade::ALL.iter().position(|x| *x == g).unwrap();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(rank(QualityGrade::of(Some(hi))) <= rank(QualityGrade::of(Some(lo))));
            prop_assert_ne!(QualityGrade::of(Some(a)), QualityGrade::Unscored);
        }
    }
}
