//! Creates `coupons`: A coupon.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{add_record_columns, belongs_to_store, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Coupons::Table)
            .if_not_exists()
            .col(big_integer(Coupons::StoreId))
            .col(big_integer(Coupons::WooId))
            .col(string(Coupons::Code))
            .col(string_null(Coupons::Status))
            .col(decimal_len_null(Coupons::Amount, 24, 8))
            .col(string(Coupons::DiscountType))
            .col(big_integer(Coupons::UsageCount))
            .col(big_integer_null(Coupons::UsageLimit))
            .col(timestamp_with_time_zone_null(Coupons::DateExpiresGmt))
            .col(timestamp_with_time_zone_null(Coupons::DateCreatedGmt))
            .col(timestamp_with_time_zone_null(Coupons::DateModifiedGmt));
        add_record_columns(&mut table);
        table.primary_key(Index::create().col(Coupons::StoreId).col(Coupons::WooId));
        table.foreign_key(&mut belongs_to_store(Coupons::Table, Coupons::StoreId));
        manager.create_table(table).await?;
        manager
            .create_index(index(
                "idx_coupons_store_id_code",
                Coupons::Table,
                [Coupons::StoreId, Coupons::Code],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_coupons_store_id_date_modified_gmt",
                Coupons::Table,
                [Coupons::StoreId, Coupons::DateModifiedGmt],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Coupons::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Coupons {
    Table,
    StoreId,
    WooId,
    Code,
    Status,
    Amount,
    DiscountType,
    UsageCount,
    UsageLimit,
    DateExpiresGmt,
    DateCreatedGmt,
    DateModifiedGmt,
}
