//! The target schema: an entry's data items and the Arrow type each one is stored as. The
//! mapping is fixed here, in one place, so every version of every entry stores a data type the
//! same way and a reader never has to guess.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{DataType as ArrowType, Field, Schema, SchemaRef, TimeUnit};
use gongshu_domain::catalog::{DataType, Vocabulary};

use crate::coerce::{DECIMAL_PRECISION, DECIMAL_SCALE, TIMEZONE};

/// One data item (信息项) as ingest needs it: the column it becomes and what its values must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSpec {
    /// The item code; it is the Parquet column name and matches a header case-insensitively.
    pub code: String,
    /// The item's Chinese name; it matches a header exactly (after trimming).
    pub name: String,
    pub data_type: DataType,
    /// A blank value in a required item is a bad cell; a required item with no column is an
    /// error for the whole file.
    pub required: bool,
    /// The source must have a column for this item (a key item, or one the owner requires to
    /// be filled), though a blank value in it is only scored, not refused. Implied by
    /// `required`.
    pub column_required: bool,
}

impl ItemSpec {
    pub fn new(code: &str, name: &str, data_type: DataType, required: bool) -> Self {
        Self {
            code: code.to_owned(),
            name: name.to_owned(),
            data_type,
            required,
            column_required: false,
        }
    }

    /// The same item, whose column the source must have.
    pub fn with_column_required(mut self) -> Self {
        self.column_required = true;
        self
    }

    /// Whether a source without a column for this item is refused.
    pub fn needs_column(&self) -> bool {
        self.required || self.column_required
    }
}

/// Field metadata keys written on every column, so a Parquet file explains itself.
pub const META_NAME: &str = "gongshu.item.name";
pub const META_TYPE: &str = "gongshu.item.data_type";

/// The Arrow type an item type is stored as.
///
/// - text, citizen ID, credit code → `Utf8` (identifiers are strings, always: an ID of 18 digits
///   is not a number and must keep its leading zeros and its `X`);
/// - integer → `Int64`;
/// - decimal → `Decimal128(38, 6)`: exact, six places cover money (2), rates and percentages
///   (4) and coordinates (6, about 0.1 m); 32 integer digits hold any amount in 元 a city will
///   see. A value with more places is refused, never rounded;
/// - date → `Date32`; datetime → `Timestamp(µs, "+08:00")` (an instant; a value written without
///   an offset is read as China Standard Time); boolean → `Boolean`.
pub fn arrow_type(data_type: DataType) -> ArrowType {
    match data_type {
        DataType::Text | DataType::CitizenId | DataType::CreditCode => ArrowType::Utf8,
        DataType::Integer => ArrowType::Int64,
        DataType::Decimal => ArrowType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        DataType::Date => ArrowType::Date32,
        DataType::DateTime => ArrowType::Timestamp(TimeUnit::Microsecond, Some(TIMEZONE.into())),
        DataType::Boolean => ArrowType::Boolean,
    }
}

/// The Arrow schema of an entry's data: one nullable column per item, in item order, named by
/// item code, carrying the item's name and data type as field metadata.
pub fn arrow_schema(items: &[ItemSpec]) -> SchemaRef {
    let fields: Vec<Field> = items
        .iter()
        .map(|item| {
            Field::new(&item.code, arrow_type(item.data_type), true).with_metadata(HashMap::from([
                (META_NAME.to_owned(), item.name.clone()),
                (META_TYPE.to_owned(), item.data_type.code().to_owned()),
            ]))
        })
        .collect();
    Arc::new(Schema::new(fields))
}
