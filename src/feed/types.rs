//! The event types: one per change of a record of any resource, and the derived ones.

use std::collections::BTreeSet;

use crate::woo::Resource;

/// What happened to a record: its type is `{resource}.{change}` (`orders.updated`).
pub const RECORD_CHANGES: [&str; 4] = ["created", "updated", "deleted", "restored"];

/// The derived types, each written with the record change it derives from.
pub const DERIVED: [&str; 5] = [
    "order.status_changed",
    "inventory.low_stock",
    "inventory.out_of_stock",
    "inventory.back_in_stock",
    crate::sync::changes::BACKFILL_COMPLETED,
];

/// Every event type there is.
pub fn all_types() -> Vec<String> {
    Resource::ALL
        .into_iter()
        .flat_map(|resource| {
            RECORD_CHANGES
                .iter()
                .map(move |change| format!("{resource}.{change}"))
        })
        .chain(DERIVED.iter().map(|kind| kind.to_string()))
        .collect()
}

/// The types a consumer asked for: exact names, or `prefix.*` for every type of a
/// resource or family (`orders.*`, `inventory.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFilter(BTreeSet<String>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TypeFilterError {
    #[error("`{0}` names no event type (GET /api/event-types lists them)")]
    Unknown(String),
    #[error("no event type named: give one or more, comma-separated")]
    Empty,
}

impl TypeFilter {
    /// From names as given, comma-separated or as a list.
    pub fn parse<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<TypeFilter, TypeFilterError> {
        let all = all_types();
        let mut chosen = BTreeSet::new();
        for name in names
            .into_iter()
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let matched: Vec<&String> = match name.strip_suffix(".*") {
                Some(prefix) => all
                    .iter()
                    .filter(|kind| {
                        kind.strip_prefix(prefix)
                            .is_some_and(|rest| rest.starts_with('.'))
                    })
                    .collect(),
                None => all.iter().filter(|kind| *kind == name).collect(),
            };
            if matched.is_empty() {
                return Err(TypeFilterError::Unknown(name.to_string()));
            }
            chosen.extend(matched.into_iter().cloned());
        }
        if chosen.is_empty() {
            return Err(TypeFilterError::Empty);
        }
        Ok(TypeFilter(chosen))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn admits(&self, kind: &str) -> bool {
        self.0.contains(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_named_exactly_or_by_family() {
        let filter = TypeFilter::parse(["orders.*", "inventory.low_stock"]).unwrap();
        assert!(filter.admits("orders.updated"));
        assert!(filter.admits("orders.restored"));
        assert!(!filter.admits("order_notes.created"));
        assert!(filter.admits("inventory.low_stock"));
        assert!(!filter.admits("inventory.out_of_stock"));
        assert_eq!(
            TypeFilter::parse(["order.paid"]),
            Err(TypeFilterError::Unknown("order.paid".into()))
        );
        assert_eq!(TypeFilter::parse([" ", ""]), Err(TypeFilterError::Empty));
    }
}
