//! Creates `shipping_methods`: A shipping method the store offers (its id is a string such as flat_rate).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ShippingMethods::Table)
            .if_not_exists()
            .col(big_integer(ShippingMethods::StoreId))
            .col(string(ShippingMethods::WooId))
            .col(string(ShippingMethods::Title))
            .col(text(ShippingMethods::Description));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ShippingMethods::StoreId)
                .col(ShippingMethods::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ShippingMethods::Table,
            ShippingMethods::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShippingMethods::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShippingMethods {
    Table,
    StoreId,
    WooId,
    Title,
    Description,
}
