//! SeaORM entities of woosync: one module per table (and one for the inventory view).

pub mod coupons;
pub mod customers;
pub mod inventory;
pub mod order_notes;
pub mod order_refunds;
pub mod orders;
pub mod payment_gateways;
pub mod product_attribute_terms;
pub mod product_attributes;
pub mod product_categories;
pub mod product_reviews;
pub mod product_shipping_classes;
pub mod product_tags;
pub mod product_variations;
pub mod products;
pub mod quarantined_records;
pub mod queue_jobs;
pub mod queue_workers;
pub mod shipping_methods;
pub mod shipping_zone_locations;
pub mod shipping_zone_methods;
pub mod shipping_zones;
pub mod stores;
pub mod sync_checkpoints;
pub mod sync_run_children;
pub mod sync_runs;
pub mod sync_watermarks;
pub mod tax_classes;
pub mod tax_rates;
pub mod webhook_deliveries;
pub mod webhook_subscriptions;

/// Every entity, by table name, for `use entity::prelude::*`.
pub mod prelude {
    pub use super::coupons::Entity as Coupons;
    pub use super::customers::Entity as Customers;
    pub use super::inventory::Entity as Inventory;
    pub use super::order_notes::Entity as OrderNotes;
    pub use super::order_refunds::Entity as OrderRefunds;
    pub use super::orders::Entity as Orders;
    pub use super::payment_gateways::Entity as PaymentGateways;
    pub use super::product_attribute_terms::Entity as ProductAttributeTerms;
    pub use super::product_attributes::Entity as ProductAttributes;
    pub use super::product_categories::Entity as ProductCategories;
    pub use super::product_reviews::Entity as ProductReviews;
    pub use super::product_shipping_classes::Entity as ProductShippingClasses;
    pub use super::product_tags::Entity as ProductTags;
    pub use super::product_variations::Entity as ProductVariations;
    pub use super::products::Entity as Products;
    pub use super::quarantined_records::Entity as QuarantinedRecords;
    pub use super::queue_jobs::Entity as QueueJobs;
    pub use super::queue_workers::Entity as QueueWorkers;
    pub use super::shipping_methods::Entity as ShippingMethods;
    pub use super::shipping_zone_locations::Entity as ShippingZoneLocations;
    pub use super::shipping_zone_methods::Entity as ShippingZoneMethods;
    pub use super::shipping_zones::Entity as ShippingZones;
    pub use super::stores::Entity as Stores;
    pub use super::sync_checkpoints::Entity as SyncCheckpoints;
    pub use super::sync_run_children::Entity as SyncRunChildren;
    pub use super::sync_runs::Entity as SyncRuns;
    pub use super::sync_watermarks::Entity as SyncWatermarks;
    pub use super::tax_classes::Entity as TaxClasses;
    pub use super::tax_rates::Entity as TaxRates;
    pub use super::webhook_deliveries::Entity as WebhookDeliveries;
    pub use super::webhook_subscriptions::Entity as WebhookSubscriptions;
}
