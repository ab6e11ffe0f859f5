//! Row filters in the PostgREST style a web developer already knows: `?age=gte.18`,
//! `?name=like.张*`, `?district=in.(新城区,回民区)`, `?closed_on=is.null`, any of them negated
//! with `not.`. The grammar is the domain's because a grant's row filter is written in it and
//! must be read the same way wherever it is checked: when an approval is made, when the grant
//! is loaded, when the engine applies it. Values are read as the column's type by the engine.

/// A condition that is not `op.value` with a known operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter on `{column}`: cannot read `{spec}`; write op.value with op one of {expected}")]
pub struct BadFilter {
    pub column: String,
    pub spec: String,
    pub expected: &'static str,
}

impl BadFilter {
    pub fn zh(&self) -> String {
        format!(
            "列“{}”的筛选条件“{}”无法识别，应写作“运算符.值”，运算符可为 {}",
            self.column, self.spec, self.expected
        )
    }
}

/// One filter on one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub column: String,
    pub negated: bool,
    pub op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Eq(String),
    Neq(String),
    Lt(String),
    Lte(String),
    Gt(String),
    Gte(String),
    In(Vec<String>),
    /// `*` and `%` match any run of characters, `_` one character.
    Like(String),
    /// Like, ignoring case (ASCII letters).
    ILike(String),
    IsNull,
    IsTrue,
    IsFalse,
}

const OPERATORS: &str = "eq, neq, lt, lte, gt, gte, in, like, ilike, is";

impl Filter {
    /// Reads `op.value` (optionally `not.op.value`) for `column`.
    pub fn parse(column: &str, spec: &str) -> Result<Self, BadFilter> {
        let bad = || BadFilter {
            column: column.to_owned(),
            spec: spec.to_owned(),
            expected: OPERATORS,
        };
        let (negated, rest) = match spec.strip_prefix("not.") {
            Some(rest) => (true, rest),
            None => (false, spec),
        };
        let (op, value) = rest.split_once('.').ok_or_else(bad)?;
        let value = value.to_owned();
        let op = match op {
            "eq" => Op::Eq(value),
            "neq" => Op::Neq(value),
            "lt" => Op::Lt(value),
            "lte" => Op::Lte(value),
            "gt" => Op::Gt(value),
            "gte" => Op::Gte(value),
            "like" => Op::Like(value),
            "ilike" => Op::ILike(value),
            "in" => Op::In(parse_list(&value).ok_or_else(bad)?),
            "is" => match value.as_str() {
                "null" => Op::IsNull,
                "true" => Op::IsTrue,
                "false" => Op::IsFalse,
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        };
        Ok(Self {
            column: column.to_owned(),
            negated,
            op,
        })
    }
}

/// `(a,b,"c,d")`: a parenthesised list, items optionally double-quoted (with `\"` inside).
fn parse_list(value: &str) -> Option<Vec<String>> {
    let inner = value.strip_prefix('(')?.strip_suffix(')')?;
    if inner.trim().is_empty() {
        return None;
    }
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.next_if_eq(&' ').is_some() {}
        let mut item = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '\\' => item.push(chars.next()?),
                    '"' => break,
                    c => item.push(c),
                }
            }
            while chars.next_if_eq(&' ').is_some() {}
            items.push(item);
            match chars.next() {
                None => return Some(items),
                Some(',') => continue,
                Some(_) => return None,
            }
        }
        loop {
            match chars.next() {
                None => {
                    items.push(item.trim_end().to_owned());
                    return Some(items);
                }
                Some(',') => break,
                Some(c) => item.push(c),
            }
        }
        items.push(item.trim_end().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_operator() {
        let f = |s| Filter::parse("c", s).unwrap().op;
        assert_eq!(f("eq.1"), Op::Eq("1".into()));
        assert_eq!(f("neq.a.b"), Op::Neq("a.b".into()));
        assert_eq!(f("gte.2024-01-01"), Op::Gte("2024-01-01".into()));
        assert_eq!(f("like.张*"), Op::Like("张*".into()));
        assert_eq!(f("is.null"), Op::IsNull);
        assert_eq!(
            f("in.(a,b,\"c,d\")"),
            Op::In(vec!["a".into(), "b".into(), "c,d".into()])
        );
        assert_eq!(
            f("in.(新城区, 回民区)"),
            Op::In(vec!["新城区".into(), "回民区".into()])
        );
        assert!(Filter::parse("c", "not.eq.1").unwrap().negated);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for spec in [
            "",
            "eq",
            "equals.1",
            "is.maybe",
            "in.a,b",
            "in.(\"a)",
            "in.(\"a\"b)",
        ] {
            assert!(Filter::parse("c", spec).is_err(), "{spec}");
        }
    }
}
