//! The WooCommerce resources, by the name used in tables, routes and jobs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
pub enum Resource {
    Products,
    ProductVariations,
    Orders,
    OrderRefunds,
    OrderNotes,
    Customers,
    ProductCategories,
    ProductTags,
    ProductAttributes,
    ProductAttributeTerms,
    ProductReviews,
    ProductShippingClasses,
    Coupons,
    TaxRates,
    TaxClasses,
    ShippingZones,
    ShippingZoneLocations,
    ShippingZoneMethods,
    ShippingMethods,
    PaymentGateways,
}

impl Resource {
    pub const ALL: [Resource; 20] = [
        Resource::Products,
        Resource::ProductVariations,
        Resource::Orders,
        Resource::OrderRefunds,
        Resource::OrderNotes,
        Resource::Customers,
        Resource::ProductCategories,
        Resource::ProductTags,
        Resource::ProductAttributes,
        Resource::ProductAttributeTerms,
        Resource::ProductReviews,
        Resource::ProductShippingClasses,
        Resource::Coupons,
        Resource::TaxRates,
        Resource::TaxClasses,
        Resource::ShippingZones,
        Resource::ShippingZoneLocations,
        Resource::ShippingZoneMethods,
        Resource::ShippingMethods,
        Resource::PaymentGateways,
    ];

    /// The name of its table, and of it in routes and jobs.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Products => "products",
            Resource::ProductVariations => "product_variations",
            Resource::Orders => "orders",
            Resource::OrderRefunds => "order_refunds",
            Resource::OrderNotes => "order_notes",
            Resource::Customers => "customers",
            Resource::ProductCategories => "product_categories",
            Resource::ProductTags => "product_tags",
            Resource::ProductAttributes => "product_attributes",
            Resource::ProductAttributeTerms => "product_attribute_terms",
            Resource::ProductReviews => "product_reviews",
            Resource::ProductShippingClasses => "product_shipping_classes",
            Resource::Coupons => "coupons",
            Resource::TaxRates => "tax_rates",
            Resource::TaxClasses => "tax_classes",
            Resource::ShippingZones => "shipping_zones",
            Resource::ShippingZoneLocations => "shipping_zone_locations",
            Resource::ShippingZoneMethods => "shipping_zone_methods",
            Resource::ShippingMethods => "shipping_methods",
            Resource::PaymentGateways => "payment_gateways",
        }
    }

    /// The path of a collection under `/wp-json/wc/v3/`: what a client lists.
    pub fn collection_path(self, parent: i64) -> String {
        use Resource::*;
        match self {
            Products => "products".into(),
            ProductVariations => format!("products/{parent}/variations"),
            Orders => "orders".into(),
            OrderRefunds => format!("orders/{parent}/refunds"),
            OrderNotes => format!("orders/{parent}/notes"),
            Customers => "customers".into(),
            ProductCategories => "products/categories".into(),
            ProductTags => "products/tags".into(),
            ProductAttributes => "products/attributes".into(),
            ProductAttributeTerms => format!("products/attributes/{parent}/terms"),
            ProductReviews => "products/reviews".into(),
            ProductShippingClasses => "products/shipping_classes".into(),
            Coupons => "coupons".into(),
            TaxRates => "taxes".into(),
            TaxClasses => "taxes/classes".into(),
            ShippingZones => "shipping/zones".into(),
            ShippingZoneLocations => format!("shipping/zones/{parent}/locations"),
            ShippingZoneMethods => format!("shipping/zones/{parent}/methods"),
            ShippingMethods => "shipping_methods".into(),
            PaymentGateways => "payment_gateways".into(),
        }
    }

    /// The resources listed on their own, not under a parent: what a full sync covers
    /// (their children follow from them).
    pub const TOP_LEVEL: [Resource; 14] = [
        Resource::Products,
        Resource::Orders,
        Resource::Customers,
        Resource::Coupons,
        Resource::ProductCategories,
        Resource::ProductTags,
        Resource::ProductAttributes,
        Resource::ProductReviews,
        Resource::ProductShippingClasses,
        Resource::TaxRates,
        Resource::TaxClasses,
        Resource::ShippingZones,
        Resource::ShippingMethods,
        Resource::PaymentGateways,
    ];

    /// The top-level resources that change with trade (sales, stock, sign-ups, new
    /// coupons), which every poll lists; the catalog's structure and the store's settings
    /// change rarely and are listed with each ID sweep.
    pub const TRADED: [Resource; 4] = [
        Resource::Products,
        Resource::Orders,
        Resource::Customers,
        Resource::Coupons,
    ];

    /// The resource a child is listed under, or none for a top-level one.
    pub fn parent(self) -> Option<Resource> {
        use Resource::*;
        match self {
            ProductVariations => Some(Products),
            OrderRefunds | OrderNotes => Some(Orders),
            ProductAttributeTerms => Some(ProductAttributes),
            ShippingZoneLocations | ShippingZoneMethods => Some(ShippingZones),
            _ => None,
        }
    }

    /// Collections WooCommerce returns whole in one answer, ignoring `page` and `per_page`.
    pub fn listed_whole(self) -> bool {
        use Resource::*;
        matches!(
            self,
            TaxClasses
                | ShippingZones
                | ShippingZoneLocations
                | ShippingZoneMethods
                | ShippingMethods
                | PaymentGateways
                | ProductAttributes
        )
    }

    /// Whether listings take `modified_after` (WooCommerce 5.8+: products, orders, coupons).
    pub fn has_modified_filter(self) -> bool {
        matches!(
            self,
            Resource::Products | Resource::Orders | Resource::Coupons
        )
    }

    /// Whether records carry `date_modified_gmt`, which an ID sweep compares.
    pub fn has_modified_date(self) -> bool {
        matches!(
            self,
            Resource::Products
                | Resource::ProductVariations
                | Resource::Orders
                | Resource::Coupons
                | Resource::Customers
        )
    }

    /// The fields of a record, as the store sent it, that key its row after `store_id`
    /// and the parent: what `key_columns` holds, read from the JSON.
    pub fn identity(self, raw: &serde_json::Value) -> Vec<serde_json::Value> {
        let field = |name: &str| raw.get(name).cloned().unwrap_or_default();
        match self {
            Resource::ShippingZoneLocations => vec![field("type"), field("code")],
            Resource::ShippingZoneMethods => vec![field("instance_id")],
            Resource::TaxClasses => vec![field("slug")],
            _ => vec![field("id")],
        }
    }

    /// The columns that key a row of its table after `store_id`.
    pub fn key_columns(self) -> &'static [&'static str] {
        match self {
            Resource::ProductVariations => &["product_id", "woo_id"],
            Resource::OrderRefunds | Resource::OrderNotes => &["order_id", "woo_id"],
            Resource::ProductAttributeTerms => &["attribute_id", "woo_id"],
            Resource::ShippingZoneLocations => &["zone_id", "location_type", "code"],
            Resource::ShippingZoneMethods => &["zone_id", "woo_id"],
            Resource::TaxClasses => &["slug"],
            _ => &["woo_id"],
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown resource `{0}`")]
pub struct UnknownResource(pub String);

impl FromStr for Resource {
    type Err = UnknownResource;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Resource::ALL
            .into_iter()
            .find(|resource| resource.name() == name)
            .ok_or_else(|| UnknownResource(name.to_string()))
    }
}
