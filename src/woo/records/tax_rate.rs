use entity::tax_rates;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Record, RowContext};
use crate::woo::{Resource, lenient};

/// A tax rate.
#[derive(Debug, Deserialize)]
pub struct TaxRate {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub state: String,
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub rate: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub priority: i64,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub compound: bool,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub shipping: bool,
    #[serde(default, rename = "class", deserialize_with = "lenient::text")]
    pub tax_class: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for TaxRate {
    const RESOURCE: Resource = Resource::TaxRates;
    type Entity = tax_rates::Entity;

    fn into_model(self, row: RowContext) -> tax_rates::Model {
        tax_rates::Model {
            store_id: row.store_id,
            woo_id: self.id,
            country: self.country,
            state: self.state,
            rate: self.rate,
            name: self.name,
            priority: self.priority,
            compound: self.compound,
            shipping: self.shipping,
            tax_class: self.tax_class,
            rate_order: self.order,
            raw: row.raw(),
            content_hash: row.content_hash,
            deleted_at: None,
            synced_at: row.synced_at,
        }
    }
}
