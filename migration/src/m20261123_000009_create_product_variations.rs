//! Creates `product_variations`: A variation of a variable product.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductVariations::Table)
            .if_not_exists()
            .col(big_integer(ProductVariations::StoreId))
            .col(big_integer(ProductVariations::ProductId))
            .col(big_integer(ProductVariations::WooId))
            .col(string_null(ProductVariations::Sku))
            .col(string(ProductVariations::Status))
            .col(decimal_len_null(ProductVariations::Price, 24, 8))
            .col(decimal_len_null(ProductVariations::RegularPrice, 24, 8))
            .col(decimal_len_null(ProductVariations::SalePrice, 24, 8))
            .col(boolean(ProductVariations::ManageStock))
            .col(big_integer_null(ProductVariations::StockQuantity))
            .col(string_null(ProductVariations::StockStatus))
            .col(string_null(ProductVariations::Backorders))
            .col(big_integer_null(ProductVariations::LowStockAmount))
            .col(timestamp_with_time_zone_null(
                ProductVariations::DateCreatedGmt,
            ))
            .col(timestamp_with_time_zone_null(
                ProductVariations::DateModifiedGmt,
            ));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductVariations::StoreId)
                .col(ProductVariations::ProductId)
                .col(ProductVariations::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductVariations::Table,
            ProductVariations::StoreId,
        ));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_product_variations_store_id_sku",
                ProductVariations::Table,
                [ProductVariations::StoreId, ProductVariations::Sku],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_product_variations_store_id_date_modified_gmt",
                ProductVariations::Table,
                [
                    ProductVariations::StoreId,
                    ProductVariations::DateModifiedGmt,
                ],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductVariations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductVariations {
    Table,
    StoreId,
    ProductId,
    WooId,
    Sku,
    Status,
    Price,
    RegularPrice,
    SalePrice,
    ManageStock,
    StockQuantity,
    StockStatus,
    Backorders,
    LowStockAmount,
    DateCreatedGmt,
    DateModifiedGmt,
}
