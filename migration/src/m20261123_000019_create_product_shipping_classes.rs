//! Creates `product_shipping_classes`: A product shipping class.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ProductShippingClasses::Table)
            .if_not_exists()
            .col(big_integer(ProductShippingClasses::StoreId))
            .col(big_integer(ProductShippingClasses::WooId))
            .col(string(ProductShippingClasses::Name))
            .col(string(ProductShippingClasses::Slug))
            .col(big_integer(ProductShippingClasses::Count));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ProductShippingClasses::StoreId)
                .col(ProductShippingClasses::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ProductShippingClasses::Table,
            ProductShippingClasses::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ProductShippingClasses::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ProductShippingClasses {
    Table,
    StoreId,
    WooId,
    Name,
    Slug,
    Count,
}
