//! `FetchChildren`: the records listed under one parent (a variable product's variations,
//! an order's refunds or notes, an attribute's terms, a shipping zone's locations and
//! methods), fetched whole, so what the store no longer lists is marked deleted.

use chrono::Utc;
use entity::stores;
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};

use super::context::Context;
use crate::queue::job::{Job, JobError};
use crate::queue::storage::NewJob;
use crate::sync::group_commit::{GroupWrite, WriteFuture};
use crate::sync::tombstone::{Identities, Missing};
use crate::sync::{Applied, Origin, PreparedRecords};
use crate::woo::client::{ListQuery, MAX_PER_PAGE};
use crate::woo::listed::{ListedRecord, RawRecord};
use crate::woo::records::Parent;
use crate::woo::{Resource, WooError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchChildren {
    pub store_id: i64,
    /// The child resource.
    pub resource: Resource,
    pub parent_id: i64,
}

/// Prepares records of a store to be written, and enqueues the fetching of the children
/// they list: children first, so that if the write never happens, fetching them did no
/// harm.
pub async fn prepare_with_children<J: ListedRecord>(
    context: &Context,
    store: &stores::Model,
    origin: Origin,
    items: Vec<J>,
) -> Result<PreparedRecords, JobError> {
    let records = PreparedRecords::new(context.db.get_database_backend(), origin, items);
    context
        .enqueue(FetchChildren::for_parents(
            store,
            origin.resource,
            records.parents(),
        ))
        .await?;
    Ok(records)
}

impl FetchChildren {
    /// The children worth fetching for records of `resource` just listed: only where the
    /// parent says there is something (a variable product with variations, an order with
    /// refunds), and order notes, one request per order, for orders changed since the store
    /// was connected, or for all when the store asks for them.
    pub fn for_parents(
        store: &stores::Model,
        resource: Resource,
        parents: &[Parent],
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        for parent in parents {
            let mut fetch = |child: Resource| {
                jobs.push(NewJob::of(&FetchChildren {
                    store_id: store.id,
                    resource: child,
                    parent_id: parent.id,
                }))
            };
            match resource {
                Resource::Products if parent.lists_children => {
                    fetch(Resource::ProductVariations);
                }
                Resource::Orders => {
                    if parent.lists_children {
                        fetch(Resource::OrderRefunds);
                    }
                    let changed_since_connected = parent
                        .date_modified_gmt
                        .is_some_and(|modified| modified >= store.connected_at);
                    if store.backfill_order_notes || changed_since_connected {
                        fetch(Resource::OrderNotes);
                    }
                }
                Resource::ProductAttributes => fetch(Resource::ProductAttributeTerms),
                Resource::ShippingZones => {
                    fetch(Resource::ShippingZoneLocations);
                    fetch(Resource::ShippingZoneMethods);
                }
                _ => {}
            }
        }
        jobs
    }
}

/// A parent's children as listed: written, and those it no longer lists marked deleted.
struct ChildrenWrite {
    missing: Missing,
    prepared: PreparedRecords,
}

impl GroupWrite for ChildrenWrite {
    type Output = Applied;

    fn write<'t>(&'t self, txn: &'t DatabaseTransaction) -> WriteFuture<'t, Applied> {
        Box::pin(async move {
            self.missing.mark(txn, Utc::now()).await?;
            self.prepared.write(txn).await
        })
    }
}

impl Job for FetchChildren {
    const NAME: &'static str = "fetch_children";
    type Context = Context;

    fn span(&self) -> tracing::Span {
        tracing::info_span!("job", job = Self::NAME, store = self.store_id, resource = %self.resource, parent = self.parent_id)
    }

    async fn run(self, context: Context) -> Result<(), JobError> {
        let Some(active) = context.active_store(self.store_id).await? else {
            return Ok(());
        };
        let query = ListQuery {
            per_page: Some(MAX_PER_PAGE),
            ..ListQuery::default()
        };
        let path = self.resource.collection_path(self.parent_id);
        let listed_at = Utc::now();
        let children: Vec<RawRecord> = match active.client.list_all(&path, &query).await {
            Ok(children) => children,
            // The parent is gone: so are its children.
            Err(WooError::NotFound { .. }) => Vec::new(),
            Err(error) => return Err(context.woo_failure(self.store_id, error).await),
        };
        let missing = Missing::find(
            &context.db,
            self.store_id,
            self.resource,
            Some(self.parent_id),
            &Identities::of(self.resource, &children),
            listed_at,
        )
        .await?;
        let prepared = PreparedRecords::new(
            context.db.get_database_backend(),
            Origin {
                store_id: self.store_id,
                resource: self.resource,
                parent_id: self.parent_id,
                run_id: None,
            },
            children,
        );
        let applied = context
            .writer
            .write(ChildrenWrite { missing, prepared })
            .await?;
        applied.count_committed(self.resource);
        Ok(())
    }

    fn store_id(&self) -> Option<i64> {
        Some(self.store_id)
    }

    fn dedupe_key(&self) -> Option<String> {
        Some(format!(
            "children:{}:{}:{}",
            self.store_id, self.resource, self.parent_id
        ))
    }
}
