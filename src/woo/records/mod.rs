//! The records a store sends, one type per resource. Each parses the fields woosync keeps
//! in columns (which columns is `sync::rows`'); the record's full JSON is kept beside them,
//! so nothing is lost.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Resource;

mod coupon;
mod customer;
mod order;
mod order_note;
mod order_refund;
mod payment_gateway;
mod product;
mod product_attribute;
mod product_attribute_term;
mod product_category;
mod product_review;
mod product_shipping_class;
mod product_tag;
mod product_variation;
mod shipping_method;
mod shipping_zone;
mod shipping_zone_location;
mod shipping_zone_method;
mod tax_class;
mod tax_rate;

pub use coupon::Coupon;
pub use customer::Customer;
pub use order::Order;
pub use order_note::OrderNote;
pub use order_refund::OrderRefund;
pub use payment_gateway::PaymentGateway;
pub use product::Product;
pub use product_attribute::ProductAttribute;
pub use product_attribute_term::ProductAttributeTerm;
pub use product_category::ProductCategory;
pub use product_review::ProductReview;
pub use product_shipping_class::ProductShippingClass;
pub use product_tag::ProductTag;
pub use product_variation::ProductVariation;
pub use shipping_method::ShippingMethod;
pub use shipping_zone::ShippingZone;
pub use shipping_zone_location::ShippingZoneLocation;
pub use shipping_zone_method::ShippingZoneMethod;
pub use tax_class::TaxClass;
pub use tax_rate::TaxRate;

/// What a record says of the records listed under it, so that only those worth a request
/// are fetched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parent {
    pub id: i64,
    /// Whether it lists children: a variable product's variations, an order's refunds.
    /// Attributes and shipping zones always do.
    pub lists_children: bool,
    pub date_modified_gmt: Option<DateTime<Utc>>,
}

/// A record of one resource, as a store sends it.
pub trait Record: DeserializeOwned {
    const RESOURCE: Resource;

    /// The record as the parent of others, for the resources that have children.
    fn as_parent(&self) -> Option<Parent> {
        None
    }
}

/// The id a person would look a record up by, for a quarantined record that may lack one.
pub fn display_id(raw: &Value) -> Option<String> {
    ["id", "slug", "code"]
        .iter()
        .find_map(|key| match raw.get(key)? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
}
