//! Creates `shipping_zones`: A shipping zone.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ShippingZones::Table)
            .if_not_exists()
            .col(big_integer(ShippingZones::StoreId))
            .col(big_integer(ShippingZones::WooId))
            .col(string(ShippingZones::Name))
            .col(big_integer(ShippingZones::ZoneOrder));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ShippingZones::StoreId)
                .col(ShippingZones::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            ShippingZones::Table,
            ShippingZones::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShippingZones::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShippingZones {
    Table,
    StoreId,
    WooId,
    Name,
    ZoneOrder,
}
