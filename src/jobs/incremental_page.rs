//! `IncrementalPage`: one page of what changed since the watermark (or, for resources without
//! a modified filter, of the full listing, compared by content when written).

use serde::{Deserialize, Serialize};

use crate::pipeline::context::Context;
use crate::pipeline::paging::{RunPage, run_page};
use crate::queue::job::{Job, JobError};
use crate::sync::runs;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncrementalPage(pub RunPage);

impl Job for IncrementalPage {
    const NAME: &'static str = "incremental_page";
    const PRIORITY: i16 = 20;
    type Context = Context;

    async fn run(self, context: Context) -> Result<(), JobError> {
        run_page(&context, &self.0).await
    }

    fn span(&self) -> tracing::Span {
        self.0.span(Self::NAME)
    }

    async fn failed(self, context: Context, error: String) {
        let _ = runs::record_error(&context.db, self.0.run_id, &error, true).await;
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.0.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(self.0.dedupe_key())
    }
}
