//! Creates `order_refunds`: A refund of an order.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(OrderRefunds::Table)
            .if_not_exists()
            .col(big_integer(OrderRefunds::StoreId))
            .col(big_integer(OrderRefunds::OrderId))
            .col(big_integer(OrderRefunds::WooId))
            .col(decimal_len_null(OrderRefunds::Amount, 24, 8))
            .col(text_null(OrderRefunds::Reason))
            .col(big_integer_null(OrderRefunds::RefundedBy))
            .col(boolean(OrderRefunds::RefundedPayment))
            .col(timestamp_with_time_zone_null(OrderRefunds::DateCreatedGmt));
        add_record_columns(&mut table);
        table.primary_key(
            Index::create()
                .col(OrderRefunds::StoreId)
                .col(OrderRefunds::OrderId)
                .col(OrderRefunds::WooId),
        );
        table.foreign_key(&mut belongs_to_store(
            OrderRefunds::Table,
            OrderRefunds::StoreId,
        ));
        manager.create_table(table).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrderRefunds::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OrderRefunds {
    Table,
    StoreId,
    OrderId,
    WooId,
    Amount,
    Reason,
    RefundedBy,
    RefundedPayment,
    DateCreatedGmt,
}
