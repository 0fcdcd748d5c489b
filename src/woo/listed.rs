//! A record as a store listed it: parsed into a `Value`, or kept as the JSON text the store
//! sent (`RawRecord`). Pages of a sync are carried as text, so a record is never built as
//! a tree of maps only to be written out again: the text is what is stored, and the typed
//! fields are parsed from it directly.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

/// A record's JSON text, as the store sent it.
pub type RawRecord = Box<RawValue>;

/// Why a record (or the part of it read) did not parse, with the path of the field.
pub type ReadError = serde_path_to_error::Error<serde_json::Error>;

pub trait ListedRecord: DeserializeOwned + Send + 'static {
    /// The record, or the part of it a caller needs, as `T`.
    fn read<T: DeserializeOwned>(&self) -> Result<T, ReadError>;

    /// The JSON text to keep.
    fn into_text(self) -> String;
}

// Reading is tried without tracking the path first: tracking costs on every field, and
// the path is wanted only for a record that fails, which is read again to find it.

impl ListedRecord for Value {
    fn read<T: DeserializeOwned>(&self) -> Result<T, ReadError> {
        T::deserialize(self).or_else(|_| serde_path_to_error::deserialize(self))
    }

    /// Canonical: serde_json keeps object keys sorted.
    fn into_text(self) -> String {
        serde_json::to_string(&self).expect("a JSON value always serializes")
    }
}

impl ListedRecord for RawRecord {
    fn read<T: DeserializeOwned>(&self) -> Result<T, ReadError> {
        serde_json::from_str(self.get()).or_else(|_| {
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(self.get()))
        })
    }

    fn into_text(self) -> String {
        Box::<str>::from(self).into_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Named {
        id: i64,
        name: String,
    }

    #[test]
    fn text_and_parsed_records_read_alike() {
        let text = r#"{"name":"Chair","id":7,"tags":[1,2]}"#;
        let raw: RawRecord = serde_json::from_str(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        let expected = Named {
            id: 7,
            name: "Chair".into(),
        };
        assert_eq!(raw.read::<Named>().unwrap(), expected);
        assert_eq!(value.read::<Named>().unwrap(), expected);
        assert_eq!(raw.into_text(), text);
        assert_eq!(value.into_text(), r#"{"id":7,"name":"Chair","tags":[1,2]}"#);
    }

    #[test]
    fn a_bad_field_is_named() {
        let raw: RawRecord = serde_json::from_str(r#"{"id":"x","name":"Chair"}"#).unwrap();
        assert_eq!(raw.read::<Named>().unwrap_err().path().to_string(), "id");
    }
}
