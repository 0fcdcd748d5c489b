//! The parameters of WooCommerce's write routes as its REST schema types them, and how
//! WordPress checks a value against a type before the route runs (`rest_validate_value_from_schema`).
//! Unknown parameters are ignored by WordPress; these are the ones whose type it checks.

use serde_json::Value;

pub const ORDER_STATUSES: &[&str] = &[
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];

/// The type a parameter's schema gives it, as WordPress checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Text,
    Integer,
    Boolean,
    Object,
    Array,
    OneOf(&'static [&'static str]),
}

pub const PRODUCT_PARAMS: &[(&str, ParamType)] = &[
    ("name", ParamType::Text),
    (
        "type",
        ParamType::OneOf(&["simple", "grouped", "external", "variable"]),
    ),
    (
        "status",
        ParamType::OneOf(&["draft", "pending", "private", "publish", "future"]),
    ),
    ("sku", ParamType::Text),
    ("regular_price", ParamType::Text),
    ("sale_price", ParamType::Text),
    ("description", ParamType::Text),
    ("short_description", ParamType::Text),
    ("weight", ParamType::Text),
    ("manage_stock", ParamType::Boolean),
    ("stock_quantity", ParamType::Integer),
    ("inventory_delta", ParamType::Integer),
    ("low_stock_amount", ParamType::Integer),
    ("backorders", ParamType::OneOf(&["no", "notify", "yes"])),
    (
        "stock_status",
        ParamType::OneOf(&["instock", "outofstock", "onbackorder"]),
    ),
    ("meta_data", ParamType::Array),
    ("categories", ParamType::Array),
    ("tags", ParamType::Array),
    ("images", ParamType::Array),
];

pub const VARIATION_PARAMS: &[(&str, ParamType)] = &[
    ("sku", ParamType::Text),
    ("regular_price", ParamType::Text),
    ("sale_price", ParamType::Text),
    ("description", ParamType::Text),
    ("weight", ParamType::Text),
    (
        "status",
        ParamType::OneOf(&["draft", "pending", "private", "publish"]),
    ),
    ("manage_stock", ParamType::Boolean),
    ("stock_quantity", ParamType::Integer),
    ("inventory_delta", ParamType::Integer),
    ("low_stock_amount", ParamType::Integer),
    ("backorders", ParamType::OneOf(&["no", "notify", "yes"])),
    (
        "stock_status",
        ParamType::OneOf(&["instock", "outofstock", "onbackorder"]),
    ),
    ("meta_data", ParamType::Array),
];

pub const ORDER_PARAMS: &[(&str, ParamType)] = &[
    ("status", ParamType::OneOf(ORDER_STATUSES)),
    ("set_paid", ParamType::Boolean),
    ("customer_id", ParamType::Integer),
    ("customer_note", ParamType::Text),
    ("payment_method", ParamType::Text),
    ("payment_method_title", ParamType::Text),
    ("transaction_id", ParamType::Text),
    ("billing", ParamType::Object),
    ("shipping", ParamType::Object),
    ("line_items", ParamType::Array),
    ("meta_data", ParamType::Array),
];

pub const CUSTOMER_PARAMS: &[(&str, ParamType)] = &[
    ("email", ParamType::Text),
    ("first_name", ParamType::Text),
    ("last_name", ParamType::Text),
    ("username", ParamType::Text),
    ("password", ParamType::Text),
    ("billing", ParamType::Object),
    ("shipping", ParamType::Object),
    ("meta_data", ParamType::Array),
];

pub const NOTE_PARAMS: &[(&str, ParamType)] = &[
    ("note", ParamType::Text),
    ("customer_note", ParamType::Boolean),
];

/// Parameters whose schema allows null.
pub const NULLABLE: &[&str] = &["low_stock_amount"];

impl ParamType {
    /// The type's name as WordPress's messages write it.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Text | ParamType::OneOf(_) => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::Object => "object",
            ParamType::Array => "array",
        }
    }
}

/// Whether WordPress takes `value` as a `kind`: integers may come as numeric strings and
/// booleans as `"true"`, `"false"`, `"1"` or `"0"`; a string is never a number's place.
pub fn accepts(kind: ParamType, value: &Value) -> bool {
    match kind {
        ParamType::Text => value.is_string(),
        ParamType::Integer => {
            value.is_i64()
                || value
                    .as_str()
                    .is_some_and(|text| text.trim().parse::<i64>().is_ok())
        }
        ParamType::Boolean => {
            value.is_boolean()
                || value
                    .as_str()
                    .is_some_and(|text| ["true", "false", "1", "0"].contains(&text))
        }
        ParamType::Object => value.is_object(),
        ParamType::Array => value.is_array(),
        ParamType::OneOf(allowed) => value.as_str().is_some_and(|text| allowed.contains(&text)),
    }
}
