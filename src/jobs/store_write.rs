//! `StoreWrite`: one write to a store, exactly once (see `writes::perform`), then the
//! store's answer written into the copy with the write marked succeeded, in one
//! transaction. A refusal fails the write at once; anything else is retried through the
//! queue's backoff under the store's rate limit, which reads share.

use entity::store_writes::WriteState;
use entity::stores;
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};

use crate::pipeline::children::prepare_with_children;
use crate::pipeline::context::Context;
use crate::queue::job::{Job, JobError};
use crate::stores::StoreStatus;
use crate::sync::Origin;
use crate::writes::ledger;
use crate::writes::perform::{Failure, Performer};
use crate::writes::succeeded::Succeeded;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreWrite {
    pub write_id: i64,
    pub store_id: i64,
}

impl Job for StoreWrite {
    const NAME: &'static str = "store_write";
    /// Someone waits on a write: it goes before everything but the webhooks stores send.
    const PRIORITY: i16 = 58;
    /// With the backoff doubling from 2 s, about two hours of a store that does not answer.
    const MAX_ATTEMPTS: u32 = 12;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "job",
            job = Self::NAME,
            store = self.store_id,
            write = self.write_id
        )
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(write) = ledger::find(&context.db, self.write_id).await? else {
            return Ok(());
        };
        if matches!(write.state, WriteState::Succeeded | WriteState::Failed) {
            return Ok(());
        }
        let Some(store) = stores::Entity::find_by_id(write.store_id)
            .one(&context.db)
            .await?
        else {
            return Ok(());
        };
        if store.status != StoreStatus::Active {
            let reason = store.status_reason.clone().unwrap_or_default();
            let message = format!("the store is {}: {reason}", store.status.as_str());
            ledger::fail(
                &context.db,
                write.id,
                "store_not_active",
                message.trim_end_matches(": "),
                None,
            )
            .await?;
            return Ok(());
        }
        let client = context.client(&store).map_err(|error| {
            JobError::permanent(format!("store {} cannot be used: {error}", store.id))
        })?;
        ledger::start_attempt(&context.db, &write).await?;
        let performer = Performer {
            context: &context,
            client: &client,
            write,
        };
        match performer.perform().await {
            Ok(done) => {
                let mut records = Vec::new();
                for (resource, parent_id, record) in done.records {
                    let origin = Origin {
                        store_id: store.id,
                        resource,
                        parent_id,
                        run_id: None,
                        emits_events: true,
                        revives: true,
                    };
                    records
                        .push(prepare_with_children(&context, &store, origin, vec![record]).await?);
                }
                context
                    .writer
                    .write(Succeeded {
                        write_id: self.write_id,
                        record_id: done.record_id,
                        result: done.result,
                        records,
                    })
                    .await?;
                Ok(())
            }
            Err(Failure::Refused {
                code,
                message,
                result,
            }) => {
                tracing::info!(write = self.write_id, %code, %message, "the write was refused");
                ledger::fail(&context.db, self.write_id, &code, &message, result.as_ref()).await?;
                Ok(())
            }
            Err(Failure::Later(error)) => {
                if let JobError::Retry { message, .. } = &error {
                    ledger::will_retry(&context.db, self.write_id, message).await?;
                }
                Err(error)
            }
        }
    }

    async fn failed(self, context: Context, error: String) {
        let outcome = ledger::fail(&context.db, self.write_id, "gave_up", &error, None).await;
        if let Err(db_error) = outcome {
            tracing::error!(write = self.write_id, %db_error, "a failed write could not be marked");
        }
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("write:{}", self.write_id))
    }
}
