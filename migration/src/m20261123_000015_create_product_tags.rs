//! Creates `product_tags`: A product tag.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductTags::Table)
            .if_not_exists()
            .col(big_integer(ProductTags::StoreId))
            .col(big_integer(ProductTags::WooId))
            .col(string(ProductTags::Name))
            .col(string(ProductTags::Slug))
            .col(big_integer(ProductTags::Count));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductTags::StoreId)
                .col(ProductTags::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductTags::Table,
            ProductTags::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductTags::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductTags {
    Table,
    StoreId,
    WooId,
    Name,
    Slug,
    Count,
}
