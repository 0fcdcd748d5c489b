//! The children a page's records ask for: only where the parent says there is something
//! (a variable product's variations, an order's refunds), order notes as the store's
//! setting says, an attribute's terms, a zone's locations and methods.

use entity::stores;

use super::context::Context;
use super::step::Step;
use crate::queue::job::JobError;
use crate::sync::run_children::WantedChildren;
use crate::sync::{Applied, Origin, PreparedRecords, RecordsWrite};
use crate::woo::Resource;
use crate::woo::listed::ListedRecord;
use crate::woo::records::Parent;

/// Prepares records of a store to be written, and enqueues the fetching of the children
/// they list: children first, so that if the write never happens, fetching them did no
/// harm.
pub async fn prepare_with_children<J: ListedRecord>(
    context: &Context,
    store: &stores::Model,
    origin: Origin,
    items: Vec<J>,
) -> Result<PreparedRecords, JobError> {
    let mut records = PreparedRecords::new(context.db.get_database_backend(), origin, items);
    let wanted = wanted_children(store, origin.resource, records.parents());
    context
        .enqueue(children_steps(store.id, origin.run_id, &wanted))
        .await?;
    records.want_children(wanted);
    Ok(records)
}

/// Writes records that came one by one (a webhook's, one fetched again), the children they
/// list fetched after them; what was written.
pub async fn write_with_children<J: ListedRecord>(
    context: &Context,
    store: &stores::Model,
    origin: Origin,
    items: Vec<J>,
) -> Result<Applied, JobError> {
    let records = prepare_with_children(context, store, origin, items).await?;
    Ok(context
        .writer
        .write(RecordsWrite(records))
        .await?
        .count_committed(origin.resource))
}

/// The children worth fetching for records of `resource` just listed: only where the
/// parent says there is something (a variable product with variations, an order with
/// refunds), and order notes, one request per order, for orders changed since the store
/// was connected, or for all when the store asks for them.
pub fn wanted_children(
    store: &stores::Model,
    resource: Resource,
    parents: &[Parent],
) -> Vec<WantedChildren> {
    let mut wanted: Vec<WantedChildren> = Vec::new();
    let mut fetch = |child: Resource, parent: &Parent| match wanted
        .iter_mut()
        .find(|children| children.resource == child)
    {
        Some(children) => children.parent_ids.push(parent.id),
        None => wanted.push(WantedChildren {
            resource: child,
            parent_ids: vec![parent.id],
        }),
    };
    for parent in parents {
        match resource {
            Resource::Products if parent.lists_children => {
                fetch(Resource::ProductVariations, parent);
            }
            Resource::Orders => {
                if parent.lists_children {
                    fetch(Resource::OrderRefunds, parent);
                }
                let changed_since_connected = parent
                    .date_modified_gmt
                    .is_some_and(|modified| modified >= store.connected_at);
                if store.backfill_order_notes || changed_since_connected {
                    fetch(Resource::OrderNotes, parent);
                }
            }
            Resource::ProductAttributes => fetch(Resource::ProductAttributeTerms, parent),
            Resource::ShippingZones => {
                fetch(Resource::ShippingZoneLocations, parent);
                fetch(Resource::ShippingZoneMethods, parent);
            }
            _ => {}
        }
    }
    wanted
}

/// The steps that fetch these children, for `run_id` if a run wants them.
pub fn children_steps(store_id: i64, run_id: Option<i64>, wanted: &[WantedChildren]) -> Vec<Step> {
    wanted
        .iter()
        .map(|children| Step::Children {
            store_id,
            resource: children.resource,
            run_id,
            parent_ids: children.parent_ids.clone(),
        })
        .collect()
}
