//! The schema of woosync as SeaORM migrations: one file per table, applied in order.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_create_stores;
mod m20261123_000002_create_sync_runs;
mod m20261123_000003_create_sync_checkpoints;
mod m20261123_000004_create_sync_watermarks;
mod m20261123_000005_create_webhook_subscriptions;
mod m20261123_000006_create_webhook_deliveries;
mod m20261123_000007_create_quarantined_records;
mod m20261123_000008_create_products;
mod m20261123_000009_create_product_variations;
mod m20261123_000010_create_orders;
mod m20261123_000011_create_order_refunds;
mod m20261123_000012_create_order_notes;
mod m20261123_000013_create_customers;
mod m20261123_000014_create_product_categories;
mod m20261123_000015_create_product_tags;
mod m20261123_000016_create_product_attributes;
mod m20261123_000017_create_product_attribute_terms;
mod m20261123_000018_create_product_reviews;
mod m20261123_000019_create_product_shipping_classes;
mod m20261123_000020_create_coupons;
mod m20261123_000021_create_tax_rates;
mod m20261123_000022_create_tax_classes;
mod m20261123_000023_create_shipping_zones;
mod m20261123_000024_create_shipping_zone_locations;
mod m20261123_000025_create_shipping_zone_methods;
mod m20261123_000026_create_shipping_methods;
mod m20261123_000027_create_payment_gateways;
mod m20261123_000028_create_inventory_view;
mod m20261123_000029_create_queue_jobs;
mod m20261123_000030_create_queue_workers;
mod m20261124_000031_one_live_run_per_resource;
mod m20261127_000032_queue_dedupe_windows;
mod m20261201_000033_queue_claim_by_queue;
mod m20261202_000034_raw_json_as_sent;
mod m20261202_000035_create_sync_run_children;
mod m20261202_000036_store_low_stock_note;
mod m20261202_000037_store_refresh_cron;
mod m20261202_000038_create_sweep_listings;
mod m20261202_000039_quarantine_visible;
mod m20261202_000040_create_events;
mod m20261202_000041_create_store_writes;
mod m20261202_000042_create_connect_attempts;
mod m20261202_000043_raw_compressed_with_lz4;
mod m20261204_000044_children_done_apart;
mod m20261204_000045_raw_as_text;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_stores::Migration),
            Box::new(m20261123_000002_create_sync_runs::Migration),
            Box::new(m20261123_000003_create_sync_checkpoints::Migration),
            Box::new(m20261123_000004_create_sync_watermarks::Migration),
            Box::new(m20261123_000005_create_webhook_subscriptions::Migration),
            Box::new(m20261123_000006_create_webhook_deliveries::Migration),
            Box::new(m20261123_000007_create_quarantined_records::Migration),
            Box::new(m20261123_000008_create_products::Migration),
            Box::new(m20261123_000009_create_product_variations::Migration),
            Box::new(m20261123_000010_create_orders::Migration),
            Box::new(m20261123_000011_create_order_refunds::Migration),
            Box::new(m20261123_000012_create_order_notes::Migration),
            Box::new(m20261123_000013_create_customers::Migration),
            Box::new(m20261123_000014_create_product_categories::Migration),
            Box::new(m20261123_000015_create_product_tags::Migration),
            Box::new(m20261123_000016_create_product_attributes::Migration),
            Box::new(m20261123_000017_create_product_attribute_terms::Migration),
            Box::new(m20261123_000018_create_product_reviews::Migration),
            Box::new(m20261123_000019_create_product_shipping_classes::Migration),
            Box::new(m20261123_000020_create_coupons::Migration),
            Box::new(m20261123_000021_create_tax_rates::Migration),
            Box::new(m20261123_000022_create_tax_classes::Migration),
            Box::new(m20261123_000023_create_shipping_zones::Migration),
            Box::new(m20261123_000024_create_shipping_zone_locations::Migration),
            Box::new(m20261123_000025_create_shipping_zone_methods::Migration),
            Box::new(m20261123_000026_create_shipping_methods::Migration),
            Box::new(m20261123_000027_create_payment_gateways::Migration),
            Box::new(m20261123_000028_create_inventory_view::Migration),
            Box::new(m20261123_000029_create_queue_jobs::Migration),
            Box::new(m20261123_000030_create_queue_workers::Migration),
            Box::new(m20261124_000031_one_live_run_per_resource::Migration),
            Box::new(m20261127_000032_queue_dedupe_windows::Migration),
            Box::new(m20261201_000033_queue_claim_by_queue::Migration),
            Box::new(m20261202_000034_raw_json_as_sent::Migration),
            Box::new(m20261202_000035_create_sync_run_children::Migration),
            Box::new(m20261202_000036_store_low_stock_note::Migration),
            Box::new(m20261202_000037_store_refresh_cron::Migration),
            Box::new(m20261202_000038_create_sweep_listings::Migration),
            Box::new(m20261202_000039_quarantine_visible::Migration),
            Box::new(m20261202_000040_create_events::Migration),
            Box::new(m20261202_000041_create_store_writes::Migration),
            Box::new(m20261202_000042_create_connect_attempts::Migration),
            Box::new(m20261202_000043_raw_compressed_with_lz4::Migration),
            Box::new(m20261204_000044_children_done_apart::Migration),
            Box::new(m20261204_000045_raw_as_text::Migration),
        ]
    }
}
