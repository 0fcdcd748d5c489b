//! Creates `payment_gateways`: A payment gateway (its id is a string such as bacs).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(PaymentGateways::Table)
            .if_not_exists()
            .col(big_integer(PaymentGateways::StoreId))
            .col(string(PaymentGateways::WooId))
            .col(string(PaymentGateways::Title))
            .col(boolean(PaymentGateways::Enabled))
            .col(string(PaymentGateways::MethodTitle))
            .col(big_integer(PaymentGateways::GatewayOrder));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(PaymentGateways::StoreId)
                .col(PaymentGateways::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            PaymentGateways::Table,
            PaymentGateways::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentGateways::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PaymentGateways {
    Table,
    StoreId,
    WooId,
    Title,
    Enabled,
    MethodTitle,
    GatewayOrder,
}
