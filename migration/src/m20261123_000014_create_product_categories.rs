//! Creates `product_categories`: A product category.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductCategories::Table)
            .if_not_exists()
            .col(big_integer(ProductCategories::StoreId))
            .col(big_integer(ProductCategories::WooId))
            .col(big_integer(ProductCategories::ParentId))
            .col(string(ProductCategories::Name))
            .col(string(ProductCategories::Slug))
            .col(big_integer(ProductCategories::Count));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductCategories::StoreId)
                .col(ProductCategories::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductCategories::Table,
            ProductCategories::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductCategories::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductCategories {
    Table,
    StoreId,
    WooId,
    ParentId,
    Name,
    Slug,
    Count,
}
