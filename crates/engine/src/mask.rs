//! Masking as a scalar UDF, so the engine itself applies the policy: every expression a reader
//! writes over a masked column (a filter, a LIKE, a min/max, a join key) sees only the masked
//! text, never the stored value. The function is not registered by name, so SQL cannot call it
//! on anything else; it exists only inside the views this crate builds.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use gongshu_privacy::{MaskContext, MaskingRule};

/// One masking function: a rule and the keyed context of the policy it belongs to.
#[derive(Debug)]
struct Mask {
    /// Unique per instance: two masks compare equal only if they are the same instance, as
    /// the keyed contexts cannot be compared.
    name: String,
    rule: MaskingRule,
    ctx: Arc<MaskContext>,
    signature: Signature,
}

impl PartialEq for Mask {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Mask {}

impl Hash for Mask {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The UDF masking one column by `rule` under `ctx`.
pub(crate) fn mask_udf(rule: MaskingRule, ctx: Arc<MaskContext>) -> ScalarUDF {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    ScalarUDF::from(Mask {
        name: format!("gongshu_mask_{n}"),
        rule,
        ctx,
        signature: Signature::any(1, Volatility::Immutable),
    })
}

impl ScalarUDFImpl for Mask {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match &args.args[0] {
            ColumnarValue::Array(values) => Ok(ColumnarValue::Array(self.mask_array(values)?)),
            ColumnarValue::Scalar(value) => {
                let array = self.mask_array(&value.to_array()?)?;
                Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                    &array, 0,
                )?))
            }
        }
    }
}

impl Mask {
    /// Masks the text form of every value: dates as `YYYY-MM-DD`, decimals with their scale.
    fn mask_array(&self, values: &ArrayRef) -> Result<ArrayRef> {
        let text = cast(values, &DataType::Utf8)?;
        let text = text
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("cast to Utf8 gives a StringArray");
        let mut out = StringBuilder::with_capacity(text.len(), text.len() * 8);
        for value in text.iter() {
            match gongshu_privacy::apply(&self.rule, value, &self.ctx) {
                Some(masked) => out.append_value(masked),
                None => out.append_null(),
            }
        }
        Ok(Arc::new(out.finish()))
    }
}
