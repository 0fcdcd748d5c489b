//! How each record is kept: the row of its table, from the fields its type parsed
//! (`woo::records`) and what the row holds besides them.

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

use crate::woo::records::Record;

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

/// What a row holds besides the record's own fields.
#[derive(Debug, Clone)]
pub struct RowContext {
    pub store_id: i64,
    /// The parent a child was listed under (the product of a variation, the order of a
    /// refund); 0 for top-level resources.
    pub parent_id: i64,
    pub content_hash: String,
    pub synced_at: DateTime<Utc>,
}

impl RowContext {
    /// The model's `raw`: a placeholder, as the record's JSON text is bound in its place
    /// when the row is written (see `sync::upsert`), never built as a tree.
    pub fn raw(&self) -> String {
        String::new()
    }
}

/// A record of a resource and the row of the table that keeps it.
pub trait IntoRow: Record {
    type Entity: EntityTrait;

    fn into_model(self, row: RowContext) -> <Self::Entity as EntityTrait>::Model;
}
