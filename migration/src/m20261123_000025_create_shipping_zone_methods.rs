//! Creates `shipping_zone_methods`: A shipping method instance of a shipping zone.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ShippingZoneMethods::Table)
            .if_not_exists()
            .col(big_integer(ShippingZoneMethods::StoreId))
            .col(big_integer(ShippingZoneMethods::ZoneId))
            .col(big_integer(ShippingZoneMethods::WooId))
            .col(string(ShippingZoneMethods::MethodId))
            .col(string(ShippingZoneMethods::Title))
            .col(boolean(ShippingZoneMethods::Enabled))
            .col(big_integer(ShippingZoneMethods::MethodOrder));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ShippingZoneMethods::StoreId)
                .col(ShippingZoneMethods::ZoneId)
                .col(ShippingZoneMethods::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ShippingZoneMethods::Table,
            ShippingZoneMethods::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShippingZoneMethods::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShippingZoneMethods {
    Table,
    StoreId,
    ZoneId,
    WooId,
    MethodId,
    Title,
    Enabled,
    MethodOrder,
}
