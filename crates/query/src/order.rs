//! Ordering as a reader asks for it: `order=a.desc,b`. NULLs always sort last; the engine
//! completes the order to a total one for keyset paging.

use crate::error::QueryError;

/// One sort key as requested: `column.asc` or `column.desc`. NULLs always sort last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    pub column: String,
    pub descending: bool,
}

impl OrderKey {
    /// Reads `a.desc,b,c.asc`.
    pub fn parse_list(spec: &str) -> Result<Vec<Self>, QueryError> {
        spec.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (column, descending) = match s.rsplit_once('.') {
                    Some((c, "desc")) => (c, true),
                    Some((c, "asc")) => (c, false),
                    Some((_, other)) => {
                        return Err(QueryError::BadOrder(format!(
                            "`{other}` is not a direction; use asc or desc"
                        )));
                    }
                    None => (s, false),
                };
                Ok(Self {
                    column: column.to_owned(),
                    descending,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_order_lists() {
        let keys = OrderKey::parse_list("a.desc, b ,c.asc").unwrap();
        assert_eq!(
            keys,
            vec![
                OrderKey {
                    column: "a".into(),
                    descending: true
                },
                OrderKey {
                    column: "b".into(),
                    descending: false
                },
                OrderKey {
                    column: "c".into(),
                    descending: false
                },
            ]
        );
        assert!(OrderKey::parse_list("a.up").is_err());
    }
}
