//! Creates `product_reviews`: A product review.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductReviews::Table)
            .if_not_exists()
            .col(big_integer(ProductReviews::StoreId))
            .col(big_integer(ProductReviews::WooId))
            .col(big_integer(ProductReviews::ProductId))
            .col(string(ProductReviews::Status))
            .col(string(ProductReviews::Reviewer))
            .col(string(ProductReviews::ReviewerEmail))
            .col(integer(ProductReviews::Rating))
            .col(boolean(ProductReviews::Verified))
            .col(timestamp_with_time_zone_null(
                ProductReviews::DateCreatedGmt,
            ));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductReviews::StoreId)
                .col(ProductReviews::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductReviews::Table,
            ProductReviews::StoreId,
        ));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_product_reviews_store_id_product_id",
                ProductReviews::Table,
                [ProductReviews::StoreId, ProductReviews::ProductId],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductReviews::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductReviews {
    Table,
    StoreId,
    WooId,
    ProductId,
    Status,
    Reviewer,
    ReviewerEmail,
    Rating,
    Verified,
    DateCreatedGmt,
}
