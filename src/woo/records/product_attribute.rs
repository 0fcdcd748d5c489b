use serde::Deserialize;

use super::{Parent, Record};
use crate::woo::{Resource, lenient};

/// A global product attribute, such as Color.
#[derive(Debug, Deserialize)]
pub struct ProductAttribute {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub slug: String,
    #[serde(default, rename = "type", deserialize_with = "lenient::text")]
    pub attribute_type: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_by: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub has_archives: bool,
}

impl Record for ProductAttribute {
    const RESOURCE: Resource = Resource::ProductAttributes;

    fn as_parent(&self) -> Option<Parent> {
        Some(Parent {
            id: self.id,
            lists_children: true,
            date_modified_gmt: None,
        })
    }
}
