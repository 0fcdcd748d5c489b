//! A Redis connection that outlives a Redis restart. The connection manager replaces a
//! connection Redis dropped, but only after the command that found it dead has failed:
//! after a restart, the first use of every connection failed (an enqueue, a webhook's
//! delivery answered 503, a page of the dashboard). Here that command is sent once more,
//! over the new connection, before anything fails.

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, Value};

#[derive(Clone)]
pub struct Reconnecting(ConnectionManager);

impl Reconnecting {
    pub fn new(connection: ConnectionManager) -> Reconnecting {
        Reconnecting(connection)
    }
}

/// A command that met a dropped or refused connection never reached a live server: it
/// can be sent again.
fn worth_sending_again(error: &RedisError) -> bool {
    error.is_connection_dropped() || error.is_connection_refusal()
}

impl ConnectionLike for Reconnecting {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            match self.0.req_packed_command(cmd).await {
                Err(error) if worth_sending_again(&error) => {
                    tracing::info!(%error, "a Redis connection was dropped: sending again");
                    self.0.req_packed_command(cmd).await
                }
                answer => answer,
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            match self.0.req_packed_commands(pipeline, offset, count).await {
                Err(error) if worth_sending_again(&error) => {
                    tracing::info!(%error, "a Redis connection was dropped: sending again");
                    self.0.req_packed_commands(pipeline, offset, count).await
                }
                answer => answer,
            }
        })
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}
