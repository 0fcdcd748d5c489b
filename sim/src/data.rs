//! What the simulated store holds: every collection of records, keyed by resource and
//! parent, each record the JSON WooCommerce would send for it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;
use serde_json::value::RawValue;

use super::generate::Catalog;
use super::listing::Listed;
use woocommerce::Resource;

/// A collection: a resource, under its parent (0 for top-level ones).
pub type CollectionKey = (Resource, i64);

#[derive(Debug, Default)]
pub struct StoreData {
    /// Each collection in ascending id order, as WordPress stores rows.
    collections: HashMap<CollectionKey, Collection>,
    next_post_id: i64,
    next_user_id: i64,
    next_comment_id: i64,
}

/// A collection's records and, beside each, its JSON text: written out when the store is
/// made, and again when a record changes and is next listed. A real store's work is done
/// on its own machine; the simulator shares the benchmark's two cores with the worker
/// being measured, and writing out every page anew took 205 ms of its 575 ms of CPU in
/// the 20,000-record ingest.
#[derive(Debug, Default)]
struct Collection {
    records: Vec<Value>,
    texts: Vec<OnceLock<Box<str>>>,
}

impl Collection {
    fn new(records: Vec<Value>) -> Collection {
        let texts = records
            .iter()
            .map(|record| OnceLock::from(json_text(record)))
            .collect();
        Collection { records, texts }
    }

    /// The text of the record at `index`, written out if it changed since.
    fn text(&self, index: usize) -> &str {
        self.texts[index].get_or_init(|| json_text(&self.records[index]))
    }
}

impl StoreData {
    pub fn from_catalog(catalog: Catalog) -> StoreData {
        let mut data = StoreData::default();
        let mut put = |key: CollectionKey, records: Vec<Value>| {
            data.collections.insert(key, Collection::new(records));
        };
        put((Resource::Products, 0), catalog.products);
        for (parent, records) in catalog.variations {
            put((Resource::ProductVariations, parent), records);
        }
        put((Resource::Orders, 0), catalog.orders);
        for (parent, records) in catalog.refunds {
            put((Resource::OrderRefunds, parent), records);
        }
        for (parent, records) in catalog.notes {
            put((Resource::OrderNotes, parent), records);
        }
        put((Resource::Customers, 0), catalog.customers);
        put((Resource::ProductCategories, 0), catalog.categories);
        put((Resource::ProductTags, 0), catalog.tags);
        put((Resource::ProductAttributes, 0), catalog.attributes);
        for (parent, records) in catalog.terms {
            put((Resource::ProductAttributeTerms, parent), records);
        }
        put((Resource::ProductReviews, 0), catalog.reviews);
        put(
            (Resource::ProductShippingClasses, 0),
            catalog.shipping_classes,
        );
        put((Resource::Coupons, 0), catalog.coupons);
        put((Resource::TaxRates, 0), catalog.tax_rates);
        put((Resource::TaxClasses, 0), catalog.tax_classes);
        put((Resource::ShippingZones, 0), catalog.zones);
        for (parent, records) in catalog.zone_locations {
            put((Resource::ShippingZoneLocations, parent), records);
        }
        for (parent, records) in catalog.zone_methods {
            put((Resource::ShippingZoneMethods, parent), records);
        }
        put((Resource::ShippingMethods, 0), catalog.shipping_methods);
        put((Resource::PaymentGateways, 0), catalog.payment_gateways);
        let max_id = |resources: &[Resource], field: &str| {
            data.collections
                .iter()
                .filter(|((resource, _), _)| resources.contains(resource))
                .flat_map(|(_, collection)| collection.records.iter())
                .filter_map(|record| record.get(field).and_then(Value::as_i64))
                .max()
                .unwrap_or(0)
        };
        let posts = [
            Resource::Products,
            Resource::ProductVariations,
            Resource::Orders,
            Resource::OrderRefunds,
            Resource::Coupons,
        ];
        data.next_post_id = max_id(&posts, "id") + 1;
        data.next_user_id = max_id(&[Resource::Customers], "id") + 1;
        data.next_comment_id = max_id(&[Resource::OrderNotes, Resource::ProductReviews], "id") + 1;
        data
    }

    /// Everything the store holds, as JSON: for a store kept from one run to the next.
    /// Records are kept as the text the store serves, so that a number such as
    /// `51.199999999999996` comes back as it was, whatever a parser would round it to.
    pub fn to_snapshot(&self) -> String {
        let mut collections: Vec<(CollectionKey, String)> = self
            .collections
            .iter()
            .map(|(key, collection)| {
                let texts: Vec<&str> = (0..collection.records.len())
                    .map(|index| collection.text(index))
                    .collect();
                let records = format!("[{}]", texts.join(","));
                (*key, records)
            })
            .collect();
        collections.sort_by_key(|(key, _)| (key.0.name(), key.1));
        let collections: Vec<String> = collections
            .into_iter()
            .map(|((resource, parent), records)| {
                format!(
                    r#"{{"resource":"{}","parent":{parent},"records":{records}}}"#,
                    resource.name()
                )
            })
            .collect();
        format!(
            r#"{{"collections":[{}],"next_post_id":{},"next_user_id":{},"next_comment_id":{}}}"#,
            collections.join(","),
            self.next_post_id,
            self.next_user_id,
            self.next_comment_id,
        )
    }

    /// A store from [`to_snapshot`](Self::to_snapshot)'s text.
    pub fn from_snapshot(text: &str) -> Result<StoreData, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct SavedCollection {
            resource: Resource,
            parent: i64,
            records: Vec<Box<RawValue>>,
        }
        #[derive(serde::Deserialize)]
        struct Snapshot {
            collections: Vec<SavedCollection>,
            next_post_id: i64,
            next_user_id: i64,
            next_comment_id: i64,
        }
        let snapshot: Snapshot = serde_json::from_str(text)?;
        let mut collections = HashMap::new();
        for saved in snapshot.collections {
            let mut collection = Collection::default();
            for raw in saved.records {
                collection.records.push(serde_json::from_str(raw.get())?);
                collection.texts.push(OnceLock::from(Box::<str>::from(raw)));
            }
            collections.insert((saved.resource, saved.parent), collection);
        }
        Ok(StoreData {
            collections,
            next_post_id: snapshot.next_post_id,
            next_user_id: snapshot.next_user_id,
            next_comment_id: snapshot.next_comment_id,
        })
    }

    /// Every record of `resource`, under every parent, as the text the store serves.
    pub fn served_texts(&self, resource: Resource) -> Vec<String> {
        self.served_under_parents(resource)
            .into_iter()
            .flat_map(|(_, texts)| texts)
            .collect()
    }

    /// The same, with the parent each was listed under (0 for top-level records).
    pub fn served_under_parents(&self, resource: Resource) -> Vec<(i64, Vec<String>)> {
        self.collections
            .iter()
            .filter(|((kind, _), _)| *kind == resource)
            .map(|((_, parent), collection)| {
                let texts = (0..collection.records.len())
                    .map(|index| collection.text(index).to_string())
                    .collect();
                (*parent, texts)
            })
            .collect()
    }

    /// A collection's records; an unknown parent has none.
    pub fn collection(&self, key: CollectionKey) -> &[Value] {
        self.collections
            .get(&key)
            .map(|collection| collection.records.as_slice())
            .unwrap_or(&[])
    }

    /// A page's body: the JSON array of the records `list` chose from the collection,
    /// the stored ones as their kept text.
    pub fn page_body(&self, key: CollectionKey, records: &[Listed]) -> String {
        let mut body = String::from("[");
        for (n, record) in records.iter().enumerate() {
            if n > 0 {
                body.push(',');
            }
            match record {
                // An index `list` took from this collection, under the same lock.
                Listed::Stored(index) => body.push_str(self.collections[&key].text(*index)),
                Listed::Trimmed(value) => body.push_str(&value.to_string()),
            }
        }
        body.push(']');
        body
    }

    pub fn find(&self, key: CollectionKey, id: i64) -> Option<&Value> {
        let records = self.collection(key);
        position(records, id).map(|at| &records[at])
    }

    /// A fresh id from the space WordPress would take it from.
    pub fn next_id(&mut self, resource: Resource) -> i64 {
        let counter = match resource {
            Resource::Customers => &mut self.next_user_id,
            Resource::OrderNotes | Resource::ProductReviews => &mut self.next_comment_id,
            _ => &mut self.next_post_id,
        };
        let id = *counter;
        *counter += 1;
        id
    }

    /// Adds or replaces the record with `record["id"]`, keeping id order.
    pub fn upsert(&mut self, key: CollectionKey, record: Value) {
        let id = record.get("id").and_then(Value::as_i64).unwrap_or_default();
        let collection = self.collections.entry(key).or_default();
        match position(&collection.records, id) {
            Some(at) => {
                collection.records[at] = record;
                collection.texts[at] = OnceLock::new();
            }
            None => {
                let at = collection
                    .records
                    .partition_point(|other| record_id(other) < id);
                collection.records.insert(at, record);
                collection.texts.insert(at, OnceLock::new());
            }
        }
    }

    /// Removes a record, returning it, and what is listed under it (a product's
    /// variations, an order's refunds and notes), as deleting it for good does.
    pub fn remove(&mut self, key: CollectionKey, id: i64) -> Option<Value> {
        let collection = self.collections.get_mut(&key)?;
        let at = position(&collection.records, id)?;
        collection.texts.remove(at);
        let removed = collection.records.remove(at);
        let (resource, _) = key;
        self.collections
            .retain(|(child, parent), _| !(*parent == id && child.parent() == Some(resource)));
        Some(removed)
    }

    /// Mutable access to one record (its text is written out again when next listed).
    pub fn find_mut(&mut self, key: CollectionKey, id: i64) -> Option<&mut Value> {
        let collection = self.collections.get_mut(&key)?;
        let at = position(&collection.records, id)?;
        collection.texts[at] = OnceLock::new();
        Some(&mut collection.records[at])
    }

    /// Changes every record of a collection with `change`, which says whether it changed
    /// the record (its text is then written out again when next listed).
    pub fn change_each(&mut self, key: CollectionKey, mut change: impl FnMut(&mut Value) -> bool) {
        let Some(collection) = self.collections.get_mut(&key) else {
            return;
        };
        for (record, text) in collection.records.iter_mut().zip(&mut collection.texts) {
            if change(record) {
                *text = OnceLock::new();
            }
        }
    }

    /// How many records every collection of `resource` holds together.
    pub fn count(&self, resource: Resource) -> usize {
        self.collections
            .iter()
            .filter(|((kind, _), _)| *kind == resource)
            .map(|(_, collection)| collection.records.len())
            .sum()
    }

    /// The parents that have a collection of `resource`.
    pub fn parents(&self, resource: Resource) -> Vec<i64> {
        let mut parents: Vec<i64> = self
            .collections
            .keys()
            .filter(|(kind, _)| *kind == resource)
            .map(|(_, parent)| *parent)
            .collect();
        parents.sort_unstable();
        parents
    }
}

fn json_text(record: &Value) -> Box<str> {
    serde_json::to_string(record)
        .expect("JSON values always serialize")
        .into_boxed_str()
}

fn record_id(record: &Value) -> i64 {
    record
        .get("id")
        .or_else(|| record.get("instance_id"))
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

/// Where the record with `id` is: binary search where ids are numbers, as they are for
/// every large collection.
fn position(records: &[Value], id: i64) -> Option<usize> {
    records
        .binary_search_by_key(&id, record_id)
        .ok()
        .or_else(|| records.iter().position(|record| record_id(record) == id))
}
