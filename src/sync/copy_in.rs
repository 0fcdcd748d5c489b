//! Rows that go into a table by `COPY .. FROM STDIN (FORMAT binary)`.
//!
//! A store's first copy of a resource writes rows that are not there yet. Postgres takes
//! those by `COPY` for less of its CPU than by the upsert (see docs/performance.md). The
//! data is the upsert's values, each in the binary form sqlx binds it in, made while the
//! page is prepared rather than in the writer.

use sea_orm::sqlx::Encode;
use sea_orm::sqlx::encode::IsNull;
use sea_orm::sqlx::postgres::{PgArgumentBuffer, Postgres};
use sea_orm::{EntityTrait, IdenStatic, Iterable, Value};

/// Rows of one table, ready to copy in.
#[derive(Debug, Clone)]
pub struct CopyIn {
    pub statement: String,
    pub data: Vec<u8>,
}

/// The binary format's signature, flags and header extension length.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

impl CopyIn {
    /// Rows of `E` from `values`, row after row in the order of its columns (as an upsert
    /// binds them); None when a value has no binary form here (no record table has one).
    pub fn of<E: EntityTrait>(values: &[Value]) -> Option<CopyIn> {
        let columns: Vec<String> = E::Column::iter()
            .map(|column| format!("\"{}\"", column.as_str()))
            .collect();
        let fields = i16::try_from(columns.len()).ok()?;
        if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
            return None;
        }
        let bytes: usize = values.iter().map(encoded_size).sum();
        let mut data =
            Vec::with_capacity(HEADER.len() + bytes + values.len() / columns.len() * 2 + 2);
        data.extend_from_slice(HEADER);
        let mut buffer = PgArgumentBuffer::default();
        for row in values.chunks(columns.len()) {
            data.extend_from_slice(&fields.to_be_bytes());
            for value in row {
                encode(value, &mut data, &mut buffer)?;
            }
        }
        data.extend_from_slice(&(-1i16).to_be_bytes());
        Some(CopyIn {
            statement: format!(
                "COPY \"{}\" ({}) FROM STDIN (FORMAT binary)",
                E::default().table_name(),
                columns.join(", ")
            ),
            data,
        })
    }
}

/// About the bytes a value takes, its length included.
fn encoded_size(value: &Value) -> usize {
    match value {
        Value::String(Some(text)) => 4 + text.len(),
        _ => 12,
    }
}

/// Appends one value to `data`: its length (-1 for null), then its bytes. Text, by far the
/// most of a row, is copied once; the other types go through sqlx's encoders.
fn encode(value: &Value, data: &mut Vec<u8>, buffer: &mut PgArgumentBuffer) -> Option<()> {
    if let Value::String(Some(text)) = value {
        data.extend_from_slice(&i32::try_from(text.len()).ok()?.to_be_bytes());
        data.extend_from_slice(text.as_bytes());
        return Some(());
    }
    fn by<T: for<'q> Encode<'q, Postgres>>(
        value: &T,
        buffer: &mut PgArgumentBuffer,
    ) -> Option<IsNull> {
        value.encode_by_ref(buffer).ok()
    }
    buffer.clear();
    let is_null = match value {
        Value::Bool(value) => by(value, buffer),
        Value::SmallInt(value) => by(value, buffer),
        Value::Int(value) => by(value, buffer),
        Value::BigInt(value) => by(value, buffer),
        Value::Float(value) => by(value, buffer),
        Value::Double(value) => by(value, buffer),
        Value::String(value) => by(value, buffer),
        Value::Decimal(value) => by(value, buffer),
        Value::ChronoDateTimeUtc(value) => by(value, buffer),
        Value::ChronoDateTimeWithTimeZone(value) => by(value, buffer),
        _ => None,
    }?;
    match is_null {
        IsNull::Yes => data.extend_from_slice(&(-1i32).to_be_bytes()),
        IsNull::No => {
            data.extend_from_slice(&i32::try_from(buffer.len()).ok()?.to_be_bytes());
            data.extend_from_slice(buffer);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::orders;

    #[test]
    fn a_row_is_a_field_count_then_each_value_by_its_length() {
        let mut values = vec![Value::BigInt(None); 22];
        values[0] = Value::BigInt(Some(7));
        values[3] = Value::String(Some("N-1".into()));
        let copy = CopyIn::of::<orders::Entity>(&values).unwrap();
        assert!(
            copy.statement.starts_with(
                "COPY \"orders\" (\"store_id\", \"woo_id\", \"parent_id\", \"number\""
            )
        );
        let row = &copy.data[HEADER.len()..];
        assert_eq!(&row[..2], &22i16.to_be_bytes());
        assert_eq!(&row[2..6], &8i32.to_be_bytes());
        assert_eq!(&row[6..14], &7i64.to_be_bytes());
        assert_eq!(&row[14..18], &(-1i32).to_be_bytes());
        assert_eq!(&row[22..26], &3i32.to_be_bytes());
        assert_eq!(&row[26..29], b"N-1");
        assert_eq!(&copy.data[copy.data.len() - 2..], &(-1i16).to_be_bytes());
        assert!(CopyIn::of::<orders::Entity>(&values[1..]).is_none());
        values[1] = Value::Char(Some('x'));
        assert!(CopyIn::of::<orders::Entity>(&values).is_none());
    }
}
