//! The string operator `a || b` as a bounded function: the same kernel DataFusion uses (NULL
//! if either side is NULL), refused before it runs when the joined text would outgrow the
//! limit — `||` doubling a value in a chain of CTEs is the other way to build a huge value.
//! It keeps the operator's name in the plan's schema, so result columns read `a || b`.

use std::hash::Hash;

use datafusion::arrow::compute::kernels::concat_elements::concat_elements_dyn;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::bound::{logical_bytes, scalar_bytes};
use gongshu_query::QueryError;

#[derive(Debug, PartialEq, Eq, Hash)]
struct Concat {
    limit: usize,
    signature: Signature,
}

/// `left || right`, bounded by `limit` bytes of growth.
pub(super) fn operator(limit: usize) -> ScalarUDF {
    ScalarUDF::new_from_impl(Concat {
        limit,
        signature: Signature::any(2, Volatility::Immutable),
    })
}

impl ScalarUDFImpl for Concat {
    fn name(&self) -> &str {
        "gongshu_concat"
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(format!(
            "{} || {}",
            args[0].schema_name(),
            args[1].schema_name()
        ))
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Type coercion has already given both sides the same string type.
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let mut joined = 0usize;
        let mut largest = 0usize;
        for arg in &args.args {
            let (held, spread) = match arg {
                ColumnarValue::Array(a) => {
                    let n = logical_bytes(a.as_ref());
                    (n, n)
                }
                ColumnarValue::Scalar(s) => {
                    let n = scalar_bytes(s);
                    (n, n.saturating_mul(if scalar { 1 } else { rows }))
                }
            };
            largest = largest.max(held);
            joined = joined.saturating_add(spread);
        }
        if joined > self.limit.max(largest) {
            return Err(DataFusionError::External(Box::new(
                QueryError::ValueTooLarge {
                    function: "||".to_owned(),
                    bytes: joined,
                    limit: self.limit,
                },
            )));
        }
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out = concat_elements_dyn(arrays[0].as_ref(), arrays[1].as_ref())?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                out.as_ref(),
                0,
            )?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}
