//! The bound on what one function call may build (值大小上限). DataFusion's memory pool
//! accounts for what operators hold (sorts, hash tables, buffers), not for the arrays scalar
//! functions return: `replace` nested eight deep turns ten bytes into a gigabyte in one call,
//! outside any accounting. So every allowed scalar function runs wrapped:
//!
//! - before the call, an upper bound of the output's size is computed from the arguments
//!   (their lengths row by row, constants counted once per row) by the function's
//!   [`Growth`] rule, and the call is refused if the bound is larger than
//!   `max(limit, largest argument)`: a function may return as much as it was given (the
//!   input is already in memory), but may *add* no more than the limit;
//! - after the call, the output is measured against the same bound, as a safety net.
//!
//! Because nothing can grow past the limit in one step, nesting cannot either: the memory an
//! expression allocates stays within a small multiple of the limit, whatever the query.

use std::hash::{Hash, Hasher};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::interval_arithmetic::Interval;
use datafusion::logical_expr::simplify::ExprSimplifyResult;
use datafusion::logical_expr::sort_properties::{ExprProperties, SortProperties};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature,
};

use gongshu_query::QueryError;

/// How large a function's output can be, given its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Growth {
    /// A number, date or truth value: a few bytes a row.
    Fixed,
    /// A short text a row (a character, a hex number, a type name).
    Small,
    /// No longer than the first argument, give or take case mapping (`substr`, `trim`,
    /// `upper`, `translate`).
    Shrinks,
    /// One of the arguments, row by row (`coalesce`, `greatest`).
    Pick,
    /// All arguments joined (`concat`, `overlay`).
    Concat,
    /// All arguments after the first, joined by the first (`concat_ws`).
    ConcatWs,
    /// `replace(text, from, to)`.
    Replace,
    /// `regexp_replace(text, pattern, replacement[, flags])`.
    RegexpReplace,
    /// `repeat(text, n)`.
    Repeat,
    /// `lpad` / `rpad(text, length[, fill])`.
    Pad,
    /// `to_char(value, format)`: a format item expands to at most a few dozen bytes.
    Format,
}

/// Bytes a format item (`%c`, `%A`, …) may expand to.
const FORMAT_EXPANSION: usize = 32;
/// Bytes of one `Small` output value.
const SMALL_VALUE: usize = 64;

/// An allowed scalar function with its bound.
#[derive(Debug)]
pub(crate) struct Bounded {
    inner: ScalarUDF,
    growth: Growth,
    limit: usize,
}

impl Bounded {
    pub(crate) fn new(inner: ScalarUDF, growth: Growth, limit: usize) -> Self {
        Self {
            inner,
            growth,
            limit,
        }
    }

    fn refuse(&self, bytes: usize) -> DataFusionError {
        DataFusionError::External(Box::new(QueryError::ValueTooLarge {
            function: self.inner.name().to_owned(),
            bytes,
            limit: self.limit,
        }))
    }
}

impl PartialEq for Bounded {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.growth == other.growth && self.limit == other.limit
    }
}

impl Eq for Bounded {}

impl Hash for Bounded {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.growth.hash(state);
        self.limit.hash(state);
    }
}

impl ScalarUDFImpl for Bounded {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        self.inner.inner().schema_name(args)
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.inner().return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn is_strict(&self) -> bool {
        self.inner.inner().is_strict()
    }

    fn with_updated_config(
        &self,
        config: &datafusion::common::config::ConfigOptions,
    ) -> Option<ScalarUDF> {
        let updated = self.inner.inner().with_updated_config(config)?;
        Some(ScalarUDF::new_from_impl(Bounded::new(
            updated,
            self.growth,
            self.limit,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let sized = is_sized(args.return_type());
        let allowed = if sized {
            let rows = args.number_rows;
            let largest = args.args.iter().map(materialized_bytes).max().unwrap_or(0);
            let allowed = self.limit.max(largest);
            let bound = bound(self.growth, &args.args, rows, allowed)?;
            if bound > allowed {
                return Err(self.refuse(bound));
            }
            Some(allowed)
        } else {
            None
        };
        let out = self.inner.invoke_with_args(args)?;
        if let Some(allowed) = allowed {
            // Case mapping may lengthen text a little; anything beyond is a broken bound.
            let bytes = match &out {
                ColumnarValue::Array(a) => logical_bytes(a.as_ref()),
                ColumnarValue::Scalar(s) => scalar_bytes(s),
            };
            if bytes > allowed.saturating_mul(4) {
                return Err(self.refuse(bytes));
            }
        }
        Ok(out)
    }

    /// Some functions exist only to be simplified (`coalesce` into a `CASE`); whatever the
    /// simplification builds is bounded in turn.
    fn simplify(
        &self,
        args: Vec<Expr>,
        info: &datafusion::logical_expr::simplify::SimplifyContext,
    ) -> Result<ExprSimplifyResult> {
        Ok(match self.inner.inner().simplify(args, info)? {
            ExprSimplifyResult::Simplified(expr) => {
                ExprSimplifyResult::Simplified(super::bound_simplified(expr, self.limit)?)
            }
            original => original,
        })
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }

    fn conditional_arguments<'a>(
        &self,
        args: &'a [Expr],
    ) -> Option<(Vec<&'a Expr>, Vec<&'a Expr>)> {
        self.inner.inner().conditional_arguments(args)
    }

    fn evaluate_bounds(&self, input: &[&Interval]) -> Result<Interval> {
        self.inner.evaluate_bounds(input)
    }

    fn propagate_constraints(
        &self,
        interval: &Interval,
        inputs: &[&Interval],
    ) -> Result<Option<Vec<Interval>>> {
        self.inner.propagate_constraints(interval, inputs)
    }

    fn output_ordering(&self, inputs: &[ExprProperties]) -> Result<SortProperties> {
        self.inner.output_ordering(inputs)
    }

    fn preserves_lex_ordering(&self, inputs: &[ExprProperties]) -> Result<bool> {
        self.inner.preserves_lex_ordering(inputs)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// Whether values of this type vary in size (text and bytes): only those can grow.
fn is_sized(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    ) || matches!(data_type, DataType::Dictionary(_, v) if is_sized(v))
}

/// The bytes the values of an array hold (not its buffers, which a slice or a string view
/// may share with others).
pub(crate) fn logical_bytes(array: &dyn Array) -> usize {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            let offsets = a.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]) as usize
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            let offsets = a.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]) as usize
        }
        DataType::Binary => {
            let a = array.as_binary::<i32>();
            let offsets = a.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]) as usize
        }
        DataType::LargeBinary => {
            let a = array.as_binary::<i64>();
            let offsets = a.value_offsets();
            (offsets[offsets.len() - 1] - offsets[0]) as usize
        }
        // The low 32 bits of a view are the value's length.
        DataType::Utf8View => array
            .as_string_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .sum(),
        DataType::BinaryView => array
            .as_binary_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .sum(),
        _ => array.to_data().get_slice_memory_size().unwrap_or(0),
    }
}

pub(super) fn scalar_bytes(value: &ScalarValue) -> usize {
    match value {
        ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s) => {
            s.as_ref().map_or(0, String::len)
        }
        ScalarValue::Binary(b) | ScalarValue::LargeBinary(b) | ScalarValue::BinaryView(b) => {
            b.as_ref().map_or(0, Vec::len)
        }
        other => other.size(),
    }
}

/// What an argument already holds in memory: an array's values (a constant is one value,
/// however many rows it stands for).
fn materialized_bytes(value: &ColumnarValue) -> usize {
    match value {
        ColumnarValue::Array(a) => logical_bytes(a.as_ref()),
        ColumnarValue::Scalar(s) => scalar_bytes(s),
    }
}

/// The size of an argument spread over the rows: a constant counts once per row.
fn spread_bytes(value: &ColumnarValue, rows: usize) -> usize {
    match value {
        ColumnarValue::Array(a) => logical_bytes(a.as_ref()),
        ColumnarValue::Scalar(s) => scalar_bytes(s).saturating_mul(rows),
    }
}

/// Per-row lengths (in bytes) of a text or bytes argument.
enum Lengths {
    Same(usize),
    Rows(Vec<usize>),
}

impl Lengths {
    fn of(value: &ColumnarValue) -> Result<Self> {
        Ok(match value {
            ColumnarValue::Scalar(s) => Self::Same(scalar_bytes(s)),
            ColumnarValue::Array(a) => Self::Rows(row_lengths(a)?),
        })
    }

    fn at(&self, row: usize) -> usize {
        match self {
            Self::Same(n) => *n,
            Self::Rows(v) => v.get(row).copied().unwrap_or(0),
        }
    }
}

fn row_lengths(array: &ArrayRef) -> Result<Vec<usize>> {
    let rows = 0..array.len();
    Ok(match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            rows.map(|i| a.value_length(i) as usize).collect()
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            rows.map(|i| a.value_length(i) as usize).collect()
        }
        DataType::Utf8View => array
            .as_string_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .collect(),
        _ => {
            let text = cast(array, &DataType::Utf8)?;
            let a = text.as_string::<i32>();
            rows.map(|i| a.value_length(i) as usize).collect()
        }
    })
}

/// Per-row integers of a count argument (`repeat`'s n, `lpad`'s length); NULL is 0.
enum Counts {
    Same(i64),
    Rows(Int64Array),
}

impl Counts {
    fn of(value: &ColumnarValue) -> Result<Self> {
        Ok(match value {
            ColumnarValue::Scalar(s) => Self::Same(match s.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(n)) => n,
                _ => 0,
            }),
            ColumnarValue::Array(a) => {
                Self::Rows(cast(a, &DataType::Int64)?.as_primitive().clone())
            }
        })
    }

    fn at(&self, row: usize) -> usize {
        let n = match self {
            Self::Same(n) => *n,
            Self::Rows(a) if row < a.len() && a.is_valid(row) => a.value(row),
            Self::Rows(_) => 0,
        };
        usize::try_from(n).unwrap_or(0)
    }
}

/// Sums `per_row` over the rows, stopping as soon as the sum passes `allowed`.
fn sum_rows(rows: usize, allowed: usize, per_row: impl Fn(usize) -> usize) -> usize {
    let mut total = 0usize;
    for row in 0..rows {
        total = total.saturating_add(per_row(row));
        if total > allowed {
            break;
        }
    }
    total
}

/// Capture-group references in a replacement (`\1`, `$1`, `${name}`): each may repeat the
/// whole text.
fn group_references(replacement: &str) -> usize {
    let bytes = replacement.as_bytes();
    bytes
        .windows(2)
        .filter(|w| (w[0] == b'\\' || w[0] == b'$') && (w[1].is_ascii_digit() || w[1] == b'{'))
        .count()
}

/// An upper bound of the output's size in bytes.
fn bound(growth: Growth, args: &[ColumnarValue], rows: usize, allowed: usize) -> Result<usize> {
    let arg = |i: usize| args.get(i);
    Ok(match growth {
        Growth::Fixed => rows.saturating_mul(16),
        Growth::Small => rows.saturating_mul(SMALL_VALUE),
        Growth::Shrinks => arg(0).map_or(0, |a| spread_bytes(a, rows)),
        Growth::Pick => args
            .iter()
            .map(|a| spread_bytes(a, rows))
            .max()
            .unwrap_or(0),
        Growth::Concat => args
            .iter()
            .fold(0usize, |n, a| n.saturating_add(spread_bytes(a, rows))),
        Growth::ConcatWs => {
            let separators = args.len().saturating_sub(2);
            let separator = arg(0).map_or(0, |a| spread_bytes(a, rows));
            args.iter()
                .skip(1)
                .fold(separator.saturating_mul(separators), |n, a| {
                    n.saturating_add(spread_bytes(a, rows))
                })
        }
        Growth::Replace => {
            let (Some(text), Some(from), Some(to)) = (arg(0), arg(1), arg(2)) else {
                return Ok(0);
            };
            let (text, from, to) = (Lengths::of(text)?, Lengths::of(from)?, Lengths::of(to)?);
            sum_rows(rows, allowed, |r| {
                let (t, f, n) = (text.at(r), from.at(r), to.at(r));
                match t.checked_div(f) {
                    Some(matches) => t.saturating_add(matches.saturating_mul(n.saturating_sub(f))),
                    // An empty pattern matches between every two characters.
                    None => t.saturating_add(t.saturating_add(1).saturating_mul(n)),
                }
            })
        }
        Growth::RegexpReplace => {
            let (Some(text), Some(replacement)) = (arg(0), arg(2)) else {
                return Ok(0);
            };
            let global = match arg(3) {
                Some(ColumnarValue::Scalar(s)) => s.to_string().contains('g'),
                Some(ColumnarValue::Array(_)) => true,
                None => false,
            };
            let references = match replacement {
                ColumnarValue::Scalar(s) => group_references(&s.to_string()),
                // A replacement per row may refer to groups anywhere: assume one per byte.
                ColumnarValue::Array(_) => usize::MAX,
            };
            let (text, replacement) = (Lengths::of(text)?, Lengths::of(replacement)?);
            sum_rows(rows, allowed, |r| {
                let t = text.at(r);
                let each = replacement
                    .at(r)
                    .saturating_add(references.min(replacement.at(r)).saturating_mul(t));
                let matches = if global { t.saturating_add(1) } else { 1 };
                t.saturating_add(matches.saturating_mul(each))
            })
        }
        Growth::Repeat => {
            let (Some(text), Some(n)) = (arg(0), arg(1)) else {
                return Ok(0);
            };
            let (text, n) = (Lengths::of(text)?, Counts::of(n)?);
            sum_rows(rows, allowed, |r| text.at(r).saturating_mul(n.at(r)))
        }
        Growth::Pad => {
            let (Some(text), Some(n)) = (arg(0), arg(1)) else {
                return Ok(0);
            };
            let (text, n) = (Lengths::of(text)?, Counts::of(n)?);
            // A character is at most four bytes.
            sum_rows(rows, allowed, |r| text.at(r).max(n.at(r).saturating_mul(4)))
        }
        Growth::Format => {
            let format = arg(1).map_or(0, |a| spread_bytes(a, rows));
            format
                .saturating_mul(FORMAT_EXPANSION)
                .saturating_add(rows.saturating_mul(SMALL_VALUE))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::StringArray;

    use super::*;

    fn text(v: &str) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::Utf8(Some(v.to_owned())))
    }

    fn column(values: &[&str]) -> ColumnarValue {
        ColumnarValue::Array(Arc::new(StringArray::from(values.to_vec())))
    }

    #[test]
    fn replace_is_bounded_by_what_it_could_insert() {
        let args = [text("aaaaaaaaaa"), text("a"), text("aaaaaaaaaa")];
        assert_eq!(bound(Growth::Replace, &args, 1, 1 << 20).unwrap(), 100);
        // An empty pattern inserts between every character.
        let args = [text("abc"), text(""), text("xy")];
        assert_eq!(
            bound(Growth::Replace, &args, 1, 1 << 20).unwrap(),
            3 + 4 * 2
        );
        // A shrinking replacement never grows the text.
        let args = [column(&["abcabc", "x"]), text("abc"), text("z")];
        assert_eq!(bound(Growth::Replace, &args, 2, 1 << 20).unwrap(), 7);
    }

    #[test]
    fn constants_count_once_per_row() {
        let args = [column(&["a", "b", "c"]), text(&"x".repeat(1000))];
        assert_eq!(bound(Growth::Concat, &args, 3, 1 << 20).unwrap(), 3 + 3000);
        assert_eq!(materialized_bytes(&args[1]), 1000);
    }

    #[test]
    fn repeat_and_pad_use_their_counts() {
        let n = ColumnarValue::Scalar(ScalarValue::Int64(Some(1_000_000)));
        let args = [text("ab"), n.clone()];
        assert_eq!(
            bound(Growth::Repeat, &args, 1, usize::MAX).unwrap(),
            2_000_000
        );
        assert_eq!(bound(Growth::Pad, &args, 1, usize::MAX).unwrap(), 4_000_000);
        let negative = [
            text("ab"),
            ColumnarValue::Scalar(ScalarValue::Int64(Some(-5))),
        ];
        assert_eq!(bound(Growth::Repeat, &negative, 1, usize::MAX).unwrap(), 0);
    }

    #[test]
    fn regexp_replace_counts_group_references() {
        assert_eq!(group_references(r"\1-$2-${name}-\\x"), 3);
        let args = [text("abcd"), text("b"), text(r"\0\0"), text("g")];
        // Up to five matches, each the replacement's text plus the whole text twice.
        assert_eq!(
            bound(Growth::RegexpReplace, &args, 1, usize::MAX).unwrap(),
            4 + 5 * (4 + 2 * 4)
        );
    }

    #[test]
    fn string_views_are_measured_by_their_values() {
        let views: ArrayRef = Arc::new(datafusion::arrow::array::StringViewArray::from(vec![
            "short",
            "a value longer than twelve bytes",
        ]));
        assert_eq!(logical_bytes(views.as_ref()), 5 + 32);
        let sliced = views.slice(1, 1);
        assert_eq!(logical_bytes(sliced.as_ref()), 32);
    }
}
