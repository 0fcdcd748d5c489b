//! Creates `product_attributes`: A global product attribute (such as Color).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductAttributes::Table)
            .if_not_exists()
            .col(big_integer(ProductAttributes::StoreId))
            .col(big_integer(ProductAttributes::WooId))
            .col(string(ProductAttributes::Name))
            .col(string(ProductAttributes::Slug))
            .col(string(ProductAttributes::AttributeType))
            .col(string(ProductAttributes::OrderBy))
            .col(boolean(ProductAttributes::HasArchives));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductAttributes::StoreId)
                .col(ProductAttributes::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductAttributes::Table,
            ProductAttributes::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductAttributes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProductAttributes {
    Table,
    StoreId,
    WooId,
    Name,
    Slug,
    AttributeType,
    OrderBy,
    HasArchives,
}
