//! Creates the `inventory` view: stock of every product and variation in one place.
//!
//! A view rather than a table kept by the sync, so inventory can never disagree with the
//! products and variations it is read from. A product row has `variation_id` 0 (as
//! WooCommerce's own line items do). The low-stock threshold falls back from the variation
//! to its product to the store's default, as WooCommerce's does.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CREATE_VIEW: &str = "
CREATE VIEW inventory AS
SELECT p.store_id,
       p.woo_id AS product_id,
       CAST(0 AS BIGINT) AS variation_id,
       p.sku,
       p.stock_quantity,
       p.stock_status,
       p.manage_stock,
       p.backorders,
       COALESCE(p.low_stock_amount, s.low_stock_amount) AS low_stock_amount,
       (p.manage_stock AND p.stock_quantity IS NOT NULL
            AND p.stock_quantity <= COALESCE(p.low_stock_amount, s.low_stock_amount)) AS low_stock
FROM products p
JOIN stores s ON s.id = p.store_id
WHERE p.deleted_at IS NULL
UNION ALL
SELECT v.store_id,
       v.product_id,
       v.woo_id AS variation_id,
       v.sku,
       v.stock_quantity,
       v.stock_status,
       v.manage_stock,
       v.backorders,
       COALESCE(v.low_stock_amount, p.low_stock_amount, s.low_stock_amount) AS low_stock_amount,
       (v.manage_stock AND v.stock_quantity IS NOT NULL
            AND v.stock_quantity <= COALESCE(v.low_stock_amount, p.low_stock_amount, s.low_stock_amount)) AS low_stock
FROM product_variations v
JOIN stores s ON s.id = v.store_id
LEFT JOIN products p ON p.store_id = v.store_id AND p.woo_id = v.product_id
WHERE v.deleted_at IS NULL
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(CREATE_VIEW)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP VIEW IF EXISTS inventory")
            .await?;
        Ok(())
    }
}
