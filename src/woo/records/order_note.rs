use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A note on an order, listed under its order.
#[derive(Debug, Deserialize)]
pub struct OrderNote {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub author: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub customer_note: bool,
    #[serde(default, deserialize_with = "lenient::text")]
    pub note: String,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
}

impl Record for OrderNote {
    const RESOURCE: Resource = Resource::OrderNotes;
}
