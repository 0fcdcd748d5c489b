use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A tax class: WooCommerce gives it a slug and a name, no id.
#[derive(Debug, Deserialize)]
pub struct TaxClass {
    #[serde(deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
}

impl Record for TaxClass {
    const RESOURCE: Resource = Resource::TaxClasses;
}
