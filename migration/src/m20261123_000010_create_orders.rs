//! Creates `orders`: An order.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Orders::Table)
            .if_not_exists()
            .col(big_integer(Orders::StoreId))
            .col(big_integer(Orders::WooId))
            .col(big_integer(Orders::ParentId))
            .col(string(Orders::Number))
            .col(string(Orders::Status))
            .col(string(Orders::Currency))
            .col(decimal_len_null(Orders::Total, 24, 8))
            .col(decimal_len_null(Orders::TotalTax, 24, 8))
            .col(decimal_len_null(Orders::DiscountTotal, 24, 8))
            .col(decimal_len_null(Orders::ShippingTotal, 24, 8))
            .col(big_integer(Orders::CustomerId))
            .col(string_null(Orders::BillingEmail))
            .col(string_null(Orders::PaymentMethod))
            .col(integer(Orders::RefundCount))
            .col(timestamp_with_time_zone_null(Orders::DateCreatedGmt))
            .col(timestamp_with_time_zone_null(Orders::DateModifiedGmt))
            .col(timestamp_with_time_zone_null(Orders::DatePaidGmt))
            .col(timestamp_with_time_zone_null(Orders::DateCompletedGmt));
        add_record_columns(&mut table);
        table.primary_key(Index::create().col(Orders::StoreId).col(Orders::WooId));
        table.foreign_key(&mut belongs_to_store(Orders::Table, Orders::StoreId));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_orders_store_id_status",
                Orders::Table,
                [Orders::StoreId, Orders::Status],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_orders_store_id_customer_id",
                Orders::Table,
                [Orders::StoreId, Orders::CustomerId],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_orders_store_id_date_modified_gmt",
                Orders::Table,
                [Orders::StoreId, Orders::DateModifiedGmt],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Orders::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    StoreId,
    WooId,
    ParentId,
    Number,
    Status,
    Currency,
    Total,
    TotalTax,
    DiscountTotal,
    ShippingTotal,
    CustomerId,
    BillingEmail,
    PaymentMethod,
    RefundCount,
    DateCreatedGmt,
    DateModifiedGmt,
    DatePaidGmt,
    DateCompletedGmt,
}
