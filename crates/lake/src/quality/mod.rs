//! Quality tallies (H11, B17), counted while the rows stream past, so scoring a version needs
//! no second pass over its data: per item the filled cells, the invalid ones (failed coercion,
//! ID checksums included) and the violations of the owner's rules (enum, range, pattern);
//! duplicates of the declared key; and the worst rows with their reasons.
//!
//! Memory stays bounded: the key check keeps one 64-bit hash per distinct key (about 16 bytes
//! per row with the set's overhead: ~160 MB for 10 million rows), never the keys themselves,
//! and the worst rows are a fixed number. Two different keys share a 64-bit hash with a
//! probability of about n²/2⁶⁵ (3·10⁻⁶ for 10 million rows), which would at worst count one
//! false duplicate; that is accepted for a quality score.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::coerce::Value;
use crate::report::{CellDefect, SourcePosition};
use crate::schema::ItemSpec;
use chrono::NaiveDate;
use gongshu_domain::catalog::{DataType, Vocabulary};
use gongshu_domain::quality::{QualityRule, RangeValue, Regex, compile_pattern};

/// A quality rule on one item, by item code, as the caller hands it to ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRule {
    pub item: String,
    pub rule: QualityRule,
}

mod report;

pub use report::{ItemQuality, QualityReport, RowProblem, WORST_ROWS, WorstRow};

/// How many reasons a worst row lists (all are counted).
const REASONS_PER_ROW: usize = 10;

/// The checks of one item, compiled from its rules.
#[derive(Debug, Default)]
struct Checks {
    required: bool,
    key: bool,
    texts: Option<HashSet<String>>,
    integers: Option<HashSet<i64>>,
    /// Bounds as ordinals comparable with [`ordinal`] of a value.
    range: Option<(Option<i128>, Option<i128>, String)>,
    pattern: Option<Regex>,
}

/// A problem found in the current row, before it is worth putting into words.
#[derive(Debug, Clone, Copy)]
enum Problem {
    Defect(CellDefect),
    MissingRequired,
    NotInEnum,
    OutOfRange,
    PatternMismatch,
    DuplicateKey,
}

/// The running tally of one ingest.
pub(crate) struct QualityTally {
    checks: Vec<Checks>,
    key_items: Vec<usize>,
    report: QualityReport,
    seen_keys: HashSet<u64, BuildHasherDefault<PassThrough>>,
    /// Problems of the current row, reused from row to row.
    problems: Vec<(Option<usize>, Problem)>,
}

impl QualityTally {
    /// Compiles the rules for these items. Rules on unknown items or that no longer fit
    /// their item's type are skipped and listed in the report.
    pub(crate) fn new(items: &[ItemSpec], rules: &[ItemRule]) -> Self {
        let mut checks: Vec<Checks> = items
            .iter()
            .map(|i| Checks {
                required: i.required,
                ..Checks::default()
            })
            .collect();
        let mut skipped = Vec::new();
        for r in rules {
            let Some(at) = items.iter().position(|i| i.code == r.item) else {
                skipped.push(format!("{} {}", r.item, r.rule.kind().code()));
                continue;
            };
            let data_type = items[at].data_type;
            if !r.rule.fits(data_type) || !compile_into(&mut checks[at], data_type, &r.rule) {
                skipped.push(format!("{} {}", r.item, r.rule.kind().code()));
            }
        }
        let key_items: Vec<usize> = (0..items.len()).filter(|&i| checks[i].key).collect();
        let report = QualityReport {
            items: items
                .iter()
                .zip(&checks)
                .map(|(i, c)| ItemQuality {
                    code: i.code.clone(),
                    required: c.required,
                    key: c.key,
                    ..ItemQuality::default()
                })
                .collect(),
            key: key_items.iter().map(|&i| items[i].code.clone()).collect(),
            skipped_rules: skipped,
            ..QualityReport::default()
        };
        Self {
            checks,
            key_items,
            report,
            seen_keys: HashSet::default(),
            problems: Vec::new(),
        }
    }

    /// Counts one row: its coerced values (`Null` where a cell failed), the defects found
    /// while coercing it, and where it is. `items` names the items for the reasons.
    pub(crate) fn observe(
        &mut self,
        items: &[ItemSpec],
        values: &[Value<'_>],
        defects: &[(Option<usize>, CellDefect)],
        row: u64,
        at: SourcePosition,
    ) {
        self.report.rows += 1;
        self.problems.clear();
        // Which items failed coercion; allocated only for rows with defects.
        let mut bad_item = Vec::new();
        if !defects.is_empty() {
            bad_item = vec![false; values.len()];
        }
        for &(item, defect) in defects {
            match item {
                None => self.report.malformed_rows += 1,
                Some(i) if defect == CellDefect::MissingRequired => {
                    self.problems.push((Some(i), Problem::MissingRequired));
                    continue;
                }
                Some(i) => {
                    bad_item[i] = true;
                    let tally = &mut self.report.items[i];
                    tally.filled += 1;
                    tally.invalid += 1;
                }
            }
            self.problems.push((item, Problem::Defect(defect)));
        }
        for (i, value) in values.iter().enumerate() {
            if bad_item.get(i).copied().unwrap_or(false) {
                continue;
            }
            let checks = &self.checks[i];
            let tally = &mut self.report.items[i];
            if matches!(value, Value::Null) {
                if checks.required && !items[i].required {
                    self.problems.push((Some(i), Problem::MissingRequired));
                }
                continue;
            }
            tally.filled += 1;
            if let Some(texts) = &checks.texts
                && let Value::Str(s) = value
                && !texts.contains(s.trim())
            {
                tally.not_in_enum += 1;
                self.problems.push((Some(i), Problem::NotInEnum));
            }
            if let Some(integers) = &checks.integers
                && let Value::Int(n) = value
                && !integers.contains(n)
            {
                tally.not_in_enum += 1;
                self.problems.push((Some(i), Problem::NotInEnum));
            }
            if let Some((lo, hi, _)) = &checks.range
                && let Some(v) = ordinal(value)
                && (lo.is_some_and(|lo| v < lo) || hi.is_some_and(|hi| v > hi))
            {
                tally.out_of_range += 1;
                self.problems.push((Some(i), Problem::OutOfRange));
            }
            if let Some(pattern) = &checks.pattern
                && let Value::Str(s) = value
                && !pattern.is_match(s)
            {
                tally.pattern_mismatch += 1;
                self.problems.push((Some(i), Problem::PatternMismatch));
            }
        }
        if !self.key_items.is_empty() {
            self.check_key(values, &bad_item);
        }
        if !self.problems.is_empty() {
            self.consider_worst(items, row, at);
        }
    }

    fn check_key(&mut self, values: &[Value<'_>], bad_item: &[bool]) {
        let complete = self.key_items.iter().all(|&i| {
            !bad_item.get(i).copied().unwrap_or(false) && !matches!(values[i], Value::Null)
        });
        if !complete {
            return;
        }
        self.report.key_rows += 1;
        let mut hasher = std::hash::DefaultHasher::new();
        for &i in &self.key_items {
            hash_value(&values[i], &mut hasher);
        }
        if !self.seen_keys.insert(hasher.finish()) {
            self.report.duplicate_rows += 1;
            self.problems.push((None, Problem::DuplicateKey));
        }
    }

    /// Keeps the row if it is among the worst so far; reasons are put into words only then.
    fn consider_worst(&mut self, items: &[ItemSpec], row: u64, at: SourcePosition) {
        let problems = u32::try_from(self.problems.len()).unwrap_or(u32::MAX);
        let worst = &mut self.report.worst_rows;
        if worst.len() >= WORST_ROWS && worst.last().is_some_and(|w| w.problems >= problems) {
            return;
        }
        let key = self.report.key.join("、");
        let reasons = self
            .problems
            .iter()
            .take(REASONS_PER_ROW)
            .map(|&(item, p)| describe(items, &self.checks, item, p, &key))
            .collect();
        let place = worst.partition_point(|w| w.problems >= problems);
        worst.insert(
            place,
            WorstRow {
                row,
                source: at,
                problems,
                reasons,
            },
        );
        worst.truncate(WORST_ROWS);
    }

    pub(crate) fn finish(self) -> QualityReport {
        self.report
    }
}

/// Adds one rule to an item's checks; false when its parameters no longer compile.
fn compile_into(checks: &mut Checks, data_type: DataType, rule: &QualityRule) -> bool {
    match rule {
        QualityRule::Required => checks.required = true,
        QualityRule::Unique => checks.key = true,
        QualityRule::Enum { values } => match data_type {
            DataType::Integer => {
                let Ok(set) = values.iter().map(|v| v.trim().parse()).collect() else {
                    return false;
                };
                checks.integers = Some(set);
            }
            _ => checks.texts = Some(values.iter().map(|v| v.trim().to_owned()).collect()),
        },
        QualityRule::Range { min, max } => {
            let bound = |b: &Option<String>| match b {
                None => Some(None),
                Some(b) => RangeValue::parse(data_type, b).map(|v| Some(range_ordinal(v))),
            };
            let (Some(lo), Some(hi)) = (bound(min), bound(max)) else {
                return false;
            };
            let shown = format!(
                "{}～{}",
                min.as_deref().unwrap_or(""),
                max.as_deref().unwrap_or("")
            );
            checks.range = Some((lo, hi, shown));
        }
        QualityRule::Pattern { regex } => match compile_pattern(regex) {
            Ok(re) => checks.pattern = Some(re),
            Err(_) => return false,
        },
    }
    true
}

/// A bound as the ordinal of a stored value: dates in days since 1970-01-01 (like `Date32`),
/// datetimes in microseconds (like the timestamp column), decimals scaled like the column.
fn range_ordinal(v: RangeValue) -> i128 {
    match v {
        RangeValue::Date(d) => {
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
            i128::from(d.signed_duration_since(epoch).num_days())
        }
        other => other.ordinal(),
    }
}

/// The ordinal of a stored value of an ordered type.
fn ordinal(value: &Value<'_>) -> Option<i128> {
    match *value {
        Value::Int(n) => Some(i128::from(n)),
        Value::Dec(n) => Some(n),
        Value::Date(d) => Some(i128::from(d)),
        Value::Ts(t) => Some(i128::from(t)),
        _ => None,
    }
}

fn hash_value(value: &Value<'_>, h: &mut impl Hasher) {
    match value {
        Value::Null => 0u8.hash(h),
        Value::Str(s) => {
            1u8.hash(h);
            s.hash(h);
        }
        Value::Int(n) => (2u8, n).hash(h),
        Value::Dec(n) => (3u8, n).hash(h),
        Value::Date(d) => (4u8, d).hash(h),
        Value::Ts(t) => (5u8, t).hash(h),
        Value::Bool(b) => (6u8, b).hash(h),
    }
}

fn describe(
    items: &[ItemSpec],
    checks: &[Checks],
    item: Option<usize>,
    problem: Problem,
    key: &str,
) -> RowProblem {
    let (code, zh, en): (&str, String, String) = match problem {
        Problem::Defect(d) => (d.code(), d.zh(), d.en()),
        Problem::MissingRequired => (
            "missing_required",
            "必填项为空".into(),
            "a required value is empty".into(),
        ),
        Problem::NotInEnum => (
            "not_in_enum",
            "不在允许的取值中".into(),
            "not one of the allowed values".into(),
        ),
        Problem::OutOfRange => {
            let shown = item
                .and_then(|i| checks[i].range.as_ref())
                .map(|r| r.2.clone())
                .unwrap_or_default();
            (
                "out_of_range",
                format!("超出取值范围（{shown}）"),
                format!("outside the range {shown}"),
            )
        }
        Problem::PatternMismatch => (
            "pattern_mismatch",
            "不符合格式要求".into(),
            "does not match the required pattern".into(),
        ),
        Problem::DuplicateKey => (
            "duplicate_key",
            format!("主键（{key}）与前面的行重复"),
            format!("the key ({key}) repeats an earlier row"),
        ),
    };
    let name = item.map(|i| &items[i]);
    RowProblem {
        item: name.map(|i| i.code.clone()),
        code: code.to_owned(),
        zh: match name {
            Some(i) => format!("{}：{zh}", i.name),
            None => zh,
        },
        en,
    }
}

/// The key hashes are already well mixed: hashing them again would only cost time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn items() -> Vec<ItemSpec> {
        vec![
            ItemSpec::new("id", "编号", DataType::Text, false),
            ItemSpec::new("xb", "性别", DataType::Text, false),
            ItemSpec::new("nl", "年龄", DataType::Integer, false),
        ]
    }

    fn rule(item: &str, rule: QualityRule) -> ItemRule {
        ItemRule {
            item: item.into(),
            rule,
        }
    }

    fn row<'a>(id: &'a str, xb: &'a str, nl: Option<i64>) -> Vec<Value<'a>> {
        vec![
            Value::Str(Cow::Borrowed(id)),
            if xb.is_empty() {
                Value::Null
            } else {
                Value::Str(Cow::Borrowed(xb))
            },
            nl.map_or(Value::Null, Value::Int),
        ]
    }

    // H11, B17: every rule kind is counted per item, duplicates of the key are found, and the
    // worst rows keep their place in the source and their reasons.
    #[test]
    fn h11_rules_are_tallied_per_item_with_the_worst_rows() {
        let items = items();
        let rules = [
            rule("id", QualityRule::Unique),
            rule("xb", QualityRule::Required),
            rule(
                "xb",
                QualityRule::Enum {
                    values: vec!["男".into(), "女".into()],
                },
            ),
            rule(
                "nl",
                QualityRule::Range {
                    min: Some("0".into()),
                    max: Some("150".into()),
                },
            ),
            rule(
                "id",
                QualityRule::Pattern {
                    regex: r"A\d+".into(),
                },
            ),
            rule("gone", QualityRule::Required),
        ];
        let mut t = QualityTally::new(&items, &rules);
        let rows = [
            row("A1", "男", Some(30)),
            row("A2", "", Some(200)),
            row("A1", "未知", Some(-1)),
            row("B4", "女", None),
        ];
        for (n, values) in rows.iter().enumerate() {
            let n = n as u64 + 1;
            t.observe(&items, values, &[], n, SourcePosition::Line(n + 1));
        }
        // A fifth row whose age failed coercion.
        t.observe(
            &items,
            &row("A5", "女", None),
            &[(Some(2), CellDefect::BadInteger)],
            5,
            SourcePosition::Line(6),
        );
        let r = t.finish();
        assert_eq!(r.rows, 5);
        assert_eq!(r.key, ["id"]);
        assert_eq!((r.key_rows, r.duplicate_rows), (5, 1));
        assert_eq!(r.skipped_rules, ["gone required"]);
        let xb = &r.items[1];
        assert_eq!((xb.required, xb.filled, xb.not_in_enum), (true, 4, 1));
        let nl = &r.items[2];
        assert_eq!((nl.filled, nl.invalid, nl.out_of_range), (4, 1, 2));
        assert_eq!(r.items[0].pattern_mismatch, 1);

        let worst: Vec<(u64, u32)> = r.worst_rows.iter().map(|w| (w.row, w.problems)).collect();
        assert_eq!(worst, [(3, 3), (2, 2), (4, 1), (5, 1)]);
        assert_eq!(r.worst_rows[0].source, SourcePosition::Line(4));
        let codes: Vec<&str> = r.worst_rows[0]
            .reasons
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        assert_eq!(codes, ["not_in_enum", "out_of_range", "duplicate_key"]);
        assert!(
            r.worst_rows[0].reasons[1]
                .zh
                .contains("年龄：超出取值范围（0～150）")
        );

        let tally = r.tally();
        assert_eq!((tally.expected_cells, tally.filled_cells), (5, 4));
        // 13 filled cells: 1 invalid, 1 outside the enum, 2 outside the range, 1 mismatch.
        assert_eq!((tally.checked_cells, tally.failed_cells), (13, 5));
    }

    // Decimal bounds from the domain are scaled like the stored column.
    #[test]
    fn decimal_bounds_share_the_column_scale() {
        assert_eq!(
            gongshu_domain::quality::DECIMAL_SCALE,
            u32::try_from(crate::DECIMAL_SCALE).unwrap()
        );
    }

    // B17: the report keeps only the worst rows, however many rows have problems.
    #[test]
    fn b17_only_the_worst_rows_are_kept() {
        let items = items();
        let rules = [
            rule("xb", QualityRule::Required),
            rule("nl", QualityRule::Required),
        ];
        let mut t = QualityTally::new(&items, &rules);
        for n in 1..=1000u64 {
            let values = if n == 700 {
                row("x", "", None)
            } else {
                row("x", "", Some(1))
            };
            t.observe(&items, &values, &[], n, SourcePosition::Row(n));
        }
        let r = t.finish();
        assert_eq!(r.worst_rows.len(), WORST_ROWS);
        assert_eq!((r.worst_rows[0].row, r.worst_rows[0].problems), (700, 2));
        assert_eq!(r.worst_rows[1].row, 1, "ties keep the earliest rows");
        assert_eq!(r.worst_rows[WORST_ROWS - 1].row, 19);
    }
}
