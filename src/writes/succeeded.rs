//! A write's success committed as one: the store's answer written into the copy (with the
//! events of what it changed) and the write marked succeeded, in the same transaction, so
//! a read after `succeeded` shows it, and the store's webhook for the same change finds
//! nothing new.

use serde_json::Value;

use super::ledger;
use crate::sync::group_commit::{GroupWrite, WriteFuture};
use crate::sync::outbox::Outbox;
use crate::sync::{PreparedRecords, WriteTxn};

pub struct Succeeded {
    pub write_id: i64,
    pub record_id: Option<i64>,
    pub result: Value,
    pub records: Vec<PreparedRecords>,
}

impl GroupWrite for Succeeded {
    type Output = ();

    fn write<'t>(&'t self, txn: &'t WriteTxn, outbox: &'t Outbox) -> WriteFuture<'t, ()> {
        Box::pin(async move {
            for records in &self.records {
                records.write(txn, outbox).await?;
            }
            ledger::succeed(txn, self.write_id, self.record_id, &self.result).await
        })
    }
}
