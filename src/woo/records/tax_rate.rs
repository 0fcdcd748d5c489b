use rust_decimal::Decimal;
use serde::Deserialize;

use super::Record;
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
}
