//! `DeliverEvents`: delivers the change feed to one consumer endpoint, pass after pass
//! while there is work, then ends; the clock enqueues it again when events wait. One at a
//! time per endpoint (its de-duplication key), so a record's events leave in order.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::feed::delivery::{Pass, Pump};
use crate::feed::endpoints::EndpointError;
use crate::pipeline::context::Context;
use crate::queue::job::{Job, JobError};

/// How long a pump goes on before it gives its worker slot back (and is queued again).
const PUMP_FOR: Duration = Duration::from_secs(5);
/// How long a pump with nothing to send waits for more before it ends.
const IDLE_FOR: Duration = Duration::from_secs(2);
/// How often an idle pump looks again.
const IDLE_STEP: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverEvents {
    pub endpoint_id: i64,
}

impl Job for DeliverEvents {
    const NAME: &'static str = "deliver_events";
    /// Right after webhooks from stores: downstream hears of a change within the second.
    const PRIORITY: i16 = 55;
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME, endpoint = self.endpoint_id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let pump = Pump {
            db: &context.db,
            http: &context.endpoint_http,
            key: &context.secret_key,
            settings: &context.settings.deliveries,
        };
        let started = Instant::now();
        let mut idle_since: Option<Instant> = None;
        loop {
            match pump.pass(self.endpoint_id).await.map_err(job_error)? {
                Pass::Stopped => return Ok(()),
                Pass::Worked => idle_since = None,
                Pass::Idle => {
                    if idle_since.get_or_insert_with(Instant::now).elapsed() >= IDLE_FOR {
                        return Ok(());
                    }
                    tokio::time::sleep(IDLE_STEP).await;
                }
            }
            if started.elapsed() >= PUMP_FOR {
                return Err(JobError::Postpone {
                    after: Duration::ZERO,
                });
            }
        }
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!("deliver:{}", self.endpoint_id))
    }
}

fn job_error(error: EndpointError) -> JobError {
    match error {
        EndpointError::Secret(_) => JobError::permanent(error.to_string()),
        other => JobError::retry(other.to_string()),
    }
}
