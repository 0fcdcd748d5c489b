//! The parameters of WooCommerce's write routes as its REST schema types them (names and
//! types only: how a value is checked against them is each side's own). WordPress ignores
//! parameters a route does not declare.

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
