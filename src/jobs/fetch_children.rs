//! `FetchChildren`: the records listed under one parent (a variable product's variations,
//! an order's refunds or notes, an attribute's terms, a shipping zone's locations and
//! methods), fetched whole, so what the store no longer lists is marked deleted.

use chrono::{DateTime, Utc};
use entity::stores;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::Context;
use crate::queue::job::{Job, JobError};
use crate::queue::storage::NewJob;
use crate::sync::tombstone::{Identities, tombstone_missing};
use crate::sync::{Origin, PreparedRecords};
use crate::woo::client::{ListQuery, MAX_PER_PAGE};
use crate::woo::lenient::parse_gmt;
use crate::woo::listed::{ListedRecord, RawRecord};
use crate::woo::{Resource, WooError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchChildren {
    pub store_id: i64,
    /// The child resource.
    pub resource: Resource,
    pub parent_id: i64,
}

impl FetchChildren {
    /// The children worth fetching for records of `resource` just listed: only where the
    /// parent says there is something (a variable product with variations, an order with
    /// refunds), and order notes, one request per order, for orders changed since the store
    /// was connected, or for all when the store asks for them.
    pub fn for_parents<J: ListedRecord>(
        store: &stores::Model,
        resource: Resource,
        parents: &[J],
    ) -> Vec<NewJob> {
        let mut jobs = Vec::new();
        for parent in parents {
            // A record that does not read as one is quarantined when its page is written.
            let Ok(parent) = parent.read::<ParentFacts>() else {
                continue;
            };
            let Some(parent_id) = parent.id.as_i64() else {
                continue;
            };
            let mut fetch = |child: Resource| {
                jobs.push(NewJob::of(&FetchChildren {
                    store_id: store.id,
                    resource: child,
                    parent_id,
                }))
            };
            let has_some = |list: &Value| list.as_array().is_some_and(|list| !list.is_empty());
            match resource {
                Resource::Products
                    if parent.kind.as_str() == Some("variable") && has_some(&parent.variations) =>
                {
                    fetch(Resource::ProductVariations);
                }
                Resource::Orders => {
                    if has_some(&parent.refunds) {
                        fetch(Resource::OrderRefunds);
                    }
                    if store.backfill_order_notes || parent.modified_since(store.connected_at) {
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

/// The fields of a listed record that say whether it has children to fetch; the rest of
/// the record is skipped, not parsed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ParentFacts {
    id: Value,
    #[serde(rename = "type")]
    kind: Value,
    variations: Value,
    refunds: Value,
    date_modified_gmt: Value,
}

impl ParentFacts {
    fn modified_since(&self, since: DateTime<Utc>) -> bool {
        self.date_modified_gmt
            .as_str()
            .and_then(|text| parse_gmt(text).ok().flatten())
            .is_some_and(|modified| modified >= since)
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
        let children: Vec<RawRecord> = match active.client.list_all(&path, &query).await {
            Ok(children) => children,
            // The parent is gone: so are its children.
            Err(WooError::NotFound { .. }) => Vec::new(),
            Err(error) => return Err(context.woo_failure(self.store_id, error).await),
        };
        let identities = Identities::of(self.resource, &children);
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
        let txn = crate::database::begin_write(&context.db).await?;
        tombstone_missing(
            &txn,
            self.store_id,
            self.resource,
            Some(self.parent_id),
            &identities,
            Utc::now(),
        )
        .await?;
        let applied = prepared.write(&txn).await?;
        txn.commit().await?;
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
