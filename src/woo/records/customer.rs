use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A registered customer.
#[derive(Debug, Deserialize)]
pub struct Customer {
    #[serde(deserialize_with = "lenient::id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub first_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub last_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub role: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_paying_customer: bool,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_created_gmt: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::opt_gmt")]
    pub date_modified_gmt: Option<DateTime<Utc>>,
}

impl Record for Customer {
    const RESOURCE: Resource = Resource::Customers;
}
