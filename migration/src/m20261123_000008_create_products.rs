//! Creates `products`: A product (simple, variable, grouped or external).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Products::Table)
            .if_not_exists()
            .col(big_integer(Products::StoreId))
            .col(big_integer(Products::WooId))
            .col(big_integer(Products::ParentId))
            .col(string(Products::Name))
            .col(string(Products::Slug))
            .col(string(Products::ProductType))
            .col(string(Products::Status))
            .col(string_null(Products::Sku))
            .col(decimal_len_null(Products::Price, 24, 8))
            .col(decimal_len_null(Products::RegularPrice, 24, 8))
            .col(decimal_len_null(Products::SalePrice, 24, 8))
            .col(boolean(Products::ManageStock))
            .col(big_integer_null(Products::StockQuantity))
            .col(string_null(Products::StockStatus))
            .col(string_null(Products::Backorders))
            .col(big_integer_null(Products::LowStockAmount))
            .col(big_integer_null(Products::TotalSales))
            .col(timestamp_with_time_zone_null(Products::DateCreatedGmt))
            .col(timestamp_with_time_zone_null(Products::DateModifiedGmt));
        add_record_columns(&mut table);
        table.primary_key(Index::create().col(Products::StoreId).col(Products::WooId));
        table.foreign_key(&mut belongs_to_store(Products::Table, Products::StoreId));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_products_store_id_sku",
                Products::Table,
                [Products::StoreId, Products::Sku],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_products_store_id_status",
                Products::Table,
                [Products::StoreId, Products::Status],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_products_store_id_date_modified_gmt",
                Products::Table,
                [Products::StoreId, Products::DateModifiedGmt],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Products::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Products {
    Table,
    StoreId,
    WooId,
    ParentId,
    Name,
    Slug,
    ProductType,
    Status,
    Sku,
    Price,
    RegularPrice,
    SalePrice,
    ManageStock,
    StockQuantity,
    StockStatus,
    Backorders,
    LowStockAmount,
    TotalSales,
    DateCreatedGmt,
    DateModifiedGmt,
}
