//! Creates `shipping_zone_locations`: A location (country, state, postcode or continent) of a shipping zone: it has no id of its own.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ShippingZoneLocations::Table)
            .if_not_exists()
            .col(big_integer(ShippingZoneLocations::StoreId))
            .col(big_integer(ShippingZoneLocations::ZoneId))
            .col(string(ShippingZoneLocations::LocationType))
            .col(string(ShippingZoneLocations::Code));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(ShippingZoneLocations::StoreId)
                .col(ShippingZoneLocations::ZoneId)
                .col(ShippingZoneLocations::LocationType)
                .col(ShippingZoneLocations::Code),
        );
        table.foreign_key(&mut belongs_to_store(
            ShippingZoneLocations::Table,
            ShippingZoneLocations::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShippingZoneLocations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShippingZoneLocations {
    Table,
    StoreId,
    ZoneId,
    LocationType,
    Code,
}
