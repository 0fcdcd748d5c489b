//! What a write does at the store: one of eight operations, each a WooCommerce route, and
//! the check of its body before it is queued: a body that cannot be a valid request is
//! refused at once, naming the field, instead of failing at the store minutes later.

use serde_json::{Map, Value};
use woocommerce::params::{
    CUSTOMER_PARAMS, NULLABLE, ORDER_PARAMS, PRODUCT_PARAMS, ParamType, VARIATION_PARAMS,
};

use crate::woo::Resource;

/// The meta entry woosync tags what it creates with, to find it again.
pub const IDEMPOTENCY_META_KEY: &str = "_woosync_idempotency_key";

/// Stock items one write may set.
pub const MAX_STOCK_ITEMS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CreateOrder,
    UpdateOrder,
    CreateProduct,
    UpdateProduct,
    UpdateVariation,
    CreateCustomer,
    UpdateCustomer,
    SetStock,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::CreateOrder,
        Operation::UpdateOrder,
        Operation::CreateProduct,
        Operation::UpdateProduct,
        Operation::UpdateVariation,
        Operation::CreateCustomer,
        Operation::UpdateCustomer,
        Operation::SetStock,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateOrder => "create_order",
            Operation::UpdateOrder => "update_order",
            Operation::CreateProduct => "create_product",
            Operation::UpdateProduct => "update_product",
            Operation::UpdateVariation => "update_variation",
            Operation::CreateCustomer => "create_customer",
            Operation::UpdateCustomer => "update_customer",
            Operation::SetStock => "set_stock",
        }
    }

    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The resource the store answers with.
    pub fn resource(self) -> Resource {
        match self {
            Operation::CreateOrder | Operation::UpdateOrder => Resource::Orders,
            Operation::CreateProduct | Operation::UpdateProduct | Operation::SetStock => {
                Resource::Products
            }
            Operation::UpdateVariation => Resource::ProductVariations,
            Operation::CreateCustomer | Operation::UpdateCustomer => Resource::Customers,
        }
    }

    /// Whether it makes a record: retried blindly after a lost answer, it would make two.
    pub fn creates(self) -> bool {
        matches!(
            self,
            Operation::CreateOrder | Operation::CreateProduct | Operation::CreateCustomer
        )
    }

    fn params(self) -> &'static [(&'static str, ParamType)] {
        match self {
            Operation::CreateOrder | Operation::UpdateOrder => ORDER_PARAMS,
            Operation::CreateProduct | Operation::UpdateProduct => PRODUCT_PARAMS,
            Operation::UpdateVariation => VARIATION_PARAMS,
            Operation::CreateCustomer | Operation::UpdateCustomer => CUSTOMER_PARAMS,
            Operation::SetStock => &[],
        }
    }
}

/// Why a body cannot be a valid request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct BodyError {
    /// Such as `line_items[0].product_id`.
    pub field: String,
    pub message: String,
}

fn refuse(field: impl Into<String>, message: impl Into<String>) -> BodyError {
    BodyError {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks a body for shape: the types WooCommerce's schema gives its fields, what each
/// operation needs (an order's products, a customer's email), and woosync's own fields
/// (`notes` of an order update, `items` of a stock write).
pub fn check_body(operation: Operation, body: &Value) -> Result<(), BodyError> {
    let Some(fields) = body.as_object() else {
        return Err(refuse("body", "must be a JSON object"));
    };
    if operation == Operation::SetStock {
        return check_stock_items(fields);
    }
    for (name, kind) in operation.params() {
        let Some(value) = fields.get(*name) else {
            continue;
        };
        if (value.is_null() && NULLABLE.contains(name)) || fits(*kind, value) {
            continue;
        }
        let message = match kind {
            ParamType::OneOf(allowed) => format!("must be one of {}", allowed.join(", ")),
            other => format!("must be of type {}", other.name()),
        };
        return Err(refuse(*name, message));
    }
    if let Some(meta) = fields.get("meta_data").and_then(Value::as_array) {
        for (at, entry) in meta.iter().enumerate() {
            match entry.get("key").and_then(Value::as_str) {
                None => return Err(refuse(format!("meta_data[{at}].key"), "must be a string")),
                Some(IDEMPOTENCY_META_KEY) => {
                    return Err(refuse(
                        format!("meta_data[{at}].key"),
                        format!("{IDEMPOTENCY_META_KEY} is woosync's own"),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    match operation {
        Operation::CreateOrder => check_line_items(fields, true),
        Operation::UpdateOrder => {
            check_line_items(fields, false)?;
            check_notes(fields)
        }
        Operation::CreateCustomer => match fields.get("email").and_then(Value::as_str) {
            Some(email) if email.contains('@') => Ok(()),
            Some(_) => Err(refuse("email", "is not an email address")),
            None => Err(refuse("email", "is required to create a customer")),
        },
        _ => Ok(()),
    }
}

/// Whether a value is of the type WooCommerce's schema gives its field: the store takes
/// integers and booleans written as strings too, never a number for a string.
fn fits(kind: ParamType, value: &Value) -> bool {
    match kind {
        ParamType::Text => value.is_string(),
        ParamType::Integer => integer(Some(value)).is_some(),
        ParamType::Boolean => {
            value.is_boolean() || matches!(value.as_str(), Some("true" | "false" | "1" | "0"))
        }
        ParamType::Object => value.is_object(),
        ParamType::Array => value.is_array(),
        ParamType::OneOf(allowed) => value.as_str().is_some_and(|text| allowed.contains(&text)),
    }
}

/// An integer, as a number or a numeric string (WooCommerce takes both).
pub(super) fn integer(value: Option<&Value>) -> Option<i64> {
    value.and_then(|value| {
        value
            .as_i64()
            .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
    })
}

/// Line items of an order: a new one names a product (and a variation of it, for a
/// variable product) and a quantity; on an update, one with an `id` changes that item.
fn check_line_items(fields: &Map<String, Value>, creating: bool) -> Result<(), BodyError> {
    let Some(items) = fields.get("line_items").and_then(Value::as_array) else {
        return Ok(());
    };
    for (at, item) in items.iter().enumerate() {
        let field = |name: &str| format!("line_items[{at}].{name}");
        if !item.is_object() {
            return Err(refuse(format!("line_items[{at}]"), "must be an object"));
        }
        for name in ["id", "product_id", "variation_id", "quantity"] {
            if item
                .get(name)
                .is_some_and(|value| integer(Some(value)).is_none())
            {
                return Err(refuse(field(name), "must be an integer"));
            }
        }
        let updating_item = !creating && item.get("id").is_some();
        if !updating_item && integer(item.get("product_id")).is_none_or(|id| id <= 0) {
            return Err(refuse(field("product_id"), "must name a product"));
        }
        if !updating_item && integer(item.get("quantity")).is_some_and(|quantity| quantity < 1) {
            return Err(refuse(field("quantity"), "must be at least 1"));
        }
    }
    Ok(())
}

/// `notes` of an order update: woosync adds each as an order note after the update.
fn check_notes(fields: &Map<String, Value>) -> Result<(), BodyError> {
    let Some(notes) = fields.get("notes") else {
        return Ok(());
    };
    let Some(notes) = notes.as_array() else {
        return Err(refuse("notes", "must be an array"));
    };
    for (at, note) in notes.iter().enumerate() {
        match note.get("note").and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => {}
            _ => return Err(refuse(format!("notes[{at}].note"), "must be some text")),
        }
        if note
            .get("customer_note")
            .is_some_and(|value| !value.is_boolean())
        {
            return Err(refuse(
                format!("notes[{at}].customer_note"),
                "must be a boolean",
            ));
        }
    }
    Ok(())
}

fn check_stock_items(fields: &Map<String, Value>) -> Result<(), BodyError> {
    let Some(items) = fields.get("items").and_then(Value::as_array) else {
        return Err(refuse("items", "must be an array of stock items"));
    };
    if items.is_empty() || items.len() > MAX_STOCK_ITEMS {
        return Err(refuse(
            "items",
            format!("must hold 1 to {MAX_STOCK_ITEMS} items"),
        ));
    }
    for (at, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{at}].{name}");
        if integer(item.get("product_id")).is_none_or(|id| id <= 0) {
            return Err(refuse(field("product_id"), "must name a product"));
        }
        if item.get("variation_id").is_some() && integer(item.get("variation_id")).is_none() {
            return Err(refuse(field("variation_id"), "must be an integer"));
        }
        if !item.get("stock_quantity").is_some_and(Value::is_i64) {
            return Err(refuse(field("stock_quantity"), "must be an integer"));
        }
        if item
            .get("expected_quantity")
            .is_some_and(|value| !value.is_i64())
        {
            return Err(refuse(field("expected_quantity"), "must be an integer"));
        }
    }
    Ok(())
}

/// One item of a stock write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockItem {
    pub product_id: i64,
    /// 0 for a product's own stock.
    pub variation_id: i64,
    pub stock_quantity: i64,
    pub expected_quantity: Option<i64>,
}

impl StockItem {
    /// The items of a checked stock write's body.
    pub fn all_of(body: &Value) -> Vec<StockItem> {
        body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| StockItem {
                product_id: integer(item.get("product_id")).unwrap_or_default(),
                variation_id: integer(item.get("variation_id")).unwrap_or_default(),
                stock_quantity: item["stock_quantity"].as_i64().unwrap_or_default(),
                expected_quantity: item.get("expected_quantity").and_then(Value::as_i64),
            })
            .collect()
    }

    /// Its record's path at the store.
    pub fn path(&self) -> String {
        match self.variation_id {
            0 => format!("products/{}", self.product_id),
            variation => format!("products/{}/variations/{variation}", self.product_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_of_the_wrong_shape_names_its_field() {
        let cases = [
            (
                Operation::CreateProduct,
                json!({"regular_price": 12.5}),
                "regular_price",
            ),
            (Operation::UpdateOrder, json!({"status": "bogus"}), "status"),
            (
                Operation::CreateOrder,
                json!({"line_items": [{"product_id": "x"}]}),
                "line_items[0].product_id",
            ),
            (
                Operation::CreateOrder,
                json!({"line_items": [{"quantity": 1}]}),
                "line_items[0].product_id",
            ),
            (
                Operation::CreateCustomer,
                json!({"first_name": "Ada"}),
                "email",
            ),
            (Operation::SetStock, json!({"items": []}), "items"),
            (
                Operation::SetStock,
                json!({"items": [{"product_id": 3, "stock_quantity": "7"}]}),
                "items[0].stock_quantity",
            ),
            (
                Operation::UpdateOrder,
                json!({"notes": [{"note": ""}]}),
                "notes[0].note",
            ),
            (
                Operation::CreateProduct,
                json!({"meta_data": [{"key": IDEMPOTENCY_META_KEY, "value": "x"}]}),
                "meta_data[0].key",
            ),
            (Operation::UpdateCustomer, json!([1, 2]), "body"),
        ];
        for (operation, body, field) in cases {
            let error = check_body(operation, &body).unwrap_err();
            assert_eq!(error.field, field, "{body}");
        }
    }

    #[test]
    fn bodies_as_woocommerce_takes_them_pass() {
        let cases = [
            (
                Operation::CreateOrder,
                json!({"status": "pending", "set_paid": false, "billing": {"email": "ada@example.com"},
                       "line_items": [{"product_id": 1105, "quantity": 2}]}),
            ),
            (
                Operation::CreateProduct,
                json!({"name": "Mug", "regular_price": "12.50", "stock_quantity": "10"}),
            ),
            (
                Operation::UpdateVariation,
                json!({"manage_stock": true, "stock_quantity": 3}),
            ),
            (
                Operation::CreateCustomer,
                json!({"email": "grace@example.com"}),
            ),
            (
                Operation::SetStock,
                json!({"items": [{"product_id": 3, "variation_id": 4, "stock_quantity": 7, "expected_quantity": 9}]}),
            ),
        ];
        for (operation, body) in cases {
            assert_eq!(check_body(operation, &body), Ok(()), "{body}");
        }
    }
}
