//! Pages of a list (分页). Every list endpoint pages; a page number starts at 1 and a page
//! size lies within the list's bounds. A request outside them is refused with the field named,
//! never clamped silently: a client that asked for 1,000 rows and got 200 would believe it had
//! them all.

use crate::{Violation, Violations};

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    page: i64,
    per_page: i64,
}

impl Paging {
    /// Checks `page` (from 1) and `per_page` (1 to `max_per_page`).
    pub fn parse(page: i64, per_page: i64, max_per_page: i64) -> Result<Self, Violations> {
        let mut problems = Vec::new();
        if page < 1 {
            problems.push(Violation::new(
                "page",
                "out_of_range",
                "页码应从 1 开始",
                "page starts at 1",
            ));
        }
        if !(1..=max_per_page).contains(&per_page) {
            problems.push(Violation::new(
                "per_page",
                "out_of_range",
                format!("每页条数应在 1 到 {max_per_page} 之间"),
                format!("per_page must be between 1 and {max_per_page}"),
            ));
        }
        if problems.is_empty() {
            Ok(Self { page, per_page })
        } else {
            Err(Violations(problems))
        }
    }

    /// [`Paging::parse`] of sizes given as unsigned counts.
    pub fn parse_counts(
        page: usize,
        per_page: usize,
        max_per_page: usize,
    ) -> Result<Self, Violations> {
        let signed = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Self::parse(signed(page), signed(per_page), signed(max_per_page))
    }

    pub fn page(self) -> i64 {
        self.page
    }

    pub fn per_page(self) -> i64 {
        self.per_page
    }

    /// Rows before this page.
    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    pub fn page_count(self) -> usize {
        self.page as usize
    }

    pub fn per_page_count(self) -> usize {
        self.per_page as usize
    }

    pub fn offset_count(self) -> usize {
        self.offset() as usize
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn out_of_range_pages_name_their_field() {
        let err = Paging::parse(0, 500, 200).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["page", "per_page"]);
        assert!(Paging::parse(1, 0, 200).is_err());
        assert_eq!(Paging::parse(3, 50, 200).unwrap().offset(), 100);
        assert!(Paging::parse_counts(1, usize::MAX, 500).is_err());
    }

    proptest! {
        // A page is accepted exactly when it is within bounds, and its rows never overlap the
        // previous page's.
        #[test]
        fn pages_within_bounds_are_accepted_and_follow_each_other(
            page in -5i64..1_000_000, per_page in -5i64..600, max in 1i64..500
        ) {
            let parsed = Paging::parse(page, per_page, max);
            prop_assert_eq!(parsed.is_ok(), page >= 1 && (1..=max).contains(&per_page));
            if let (Ok(p), true) = (parsed, page > 1) {
                let previous = Paging::parse(page - 1, per_page, max).unwrap();
                prop_assert_eq!(previous.offset() + per_page, p.offset());
            }
        }
    }
}
