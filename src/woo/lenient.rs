//! Field parsers that accept what real stores send: numbers as strings, `""` for none,
//! `null` dates, `"yes"`/`"no"` for booleans. Anything else is an error naming the value,
//! so the record is quarantined with a reason a person can act on.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::Error;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Takes a field as plain JSON, whatever its type, to be judged by the caller.
fn loose<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    Value::deserialize(deserializer)
}

fn is_none(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

fn to_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A record's id: a number, or a string of digits.
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = loose(deserializer)?;
    to_i64(&value).ok_or_else(|| D::Error::custom(format!("expected an integer id, got {value}")))
}

/// An optional integer: `null` and `""` are none.
pub fn opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let value = loose(deserializer)?;
    if is_none(&value) {
        return Ok(None);
    }
    to_i64(&value)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("expected an integer, got {value}")))
}

/// An integer where none means 0 (parent ids, counts).
pub fn i64_or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    opt_i64(deserializer).map(Option::unwrap_or_default)
}

/// An optional amount, as WooCommerce sends money: `"19.99"`, `19.99`, or `""` for none.
pub fn opt_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Decimal>, D::Error> {
    let value = loose(deserializer)?;
    if is_none(&value) {
        return Ok(None);
    }
    let text = match &value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_string(),
        _ => String::new(),
    };
    Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map(Some)
        .map_err(|_| D::Error::custom(format!("expected an amount, got {value}")))
}

/// An optional GMT date as WooCommerce writes it (`2026-11-22T12:07:20`, no zone), or with a
/// zone; `null`, `""` and MySQL's zero date are none.
pub fn opt_gmt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let value = loose(deserializer)?;
    if is_none(&value) {
        return Ok(None);
    }
    let Value::String(text) = &value else {
        return Err(D::Error::custom(format!("expected a date, got {value}")));
    };
    parse_gmt(text).map_err(|_| {
        D::Error::custom(format!(
            "expected a date like 2026-11-22T12:07:20, got {value}"
        ))
    })
}

/// Parses a GMT date as WooCommerce writes it.
pub fn parse_gmt(text: &str) -> Result<Option<DateTime<Utc>>, chrono::ParseError> {
    let text = text.trim();
    if text.starts_with("0000-00-00") {
        return Ok(None);
    }
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(with_zone.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .map(|naive| Some(naive.and_utc()))
}

/// How many items a list holds; anything but a list holds none.
pub fn list_len<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    Ok(loose(deserializer)?.as_array().map_or(0, Vec::len))
}

/// A yes/no flag: `true`, `"yes"`, `"1"`, `1`; none is false.
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = loose(deserializer)?;
    match &value {
        Value::Null => Ok(false),
        Value::Bool(flag) => Ok(*flag),
        Value::Number(_) => Ok(to_i64(&value).is_some_and(|n| n != 0)),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "" | "no" | "false" | "0" | "off" => Ok(false),
            "yes" | "true" | "1" | "on" => Ok(true),
            // A variation's `manage_stock` is "parent" when its product manages the stock.
            "parent" => Ok(true),
            _ => Err(D::Error::custom(format!("expected yes or no, got {value}"))),
        },
        _ => Err(D::Error::custom(format!("expected yes or no, got {value}"))),
    }
}

/// Text where none (`null`) is the empty string; a number is taken as its digits.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    opt_text(deserializer).map(Option::unwrap_or_default)
}

/// Optional text: `null` and `""` are none; a number is taken as its digits.
pub fn opt_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = loose(deserializer)?;
    match value {
        Value::Null => Ok(None),
        Value::String(text) if text.is_empty() => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Number(number) => Ok(Some(number.to_string())),
        Value::Bool(flag) => Ok(Some(flag.to_string())),
        other => Err(D::Error::custom(format!("expected text, got {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "id")]
        id: i64,
        #[serde(default, deserialize_with = "opt_decimal")]
        price: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_i64")]
        stock: Option<i64>,
        #[serde(default, deserialize_with = "opt_gmt")]
        modified: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "flag")]
        manage: bool,
    }

    fn sample(value: Value) -> Result<Sample, serde_json::Error> {
        Sample::deserialize(&value)
    }

    #[test]
    fn accepts_what_real_stores_send() {
        let s = sample(json!({"id": "12", "price": "19.99", "stock": "3", "modified": "2026-11-22T12:07:20", "manage": "yes"})).unwrap();
        assert_eq!(s.id, 12);
        assert_eq!(s.price, Some(Decimal::new(1999, 2)));
        assert_eq!(s.stock, Some(3));
        assert_eq!(
            s.modified.unwrap().to_rfc3339(),
            "2026-11-22T12:07:20+00:00"
        );
        assert!(s.manage);

        let s = sample(
            json!({"id": 7, "price": "", "stock": null, "modified": null, "manage": "parent"}),
        )
        .unwrap();
        assert_eq!((s.price, s.stock, s.modified), (None, None, None));
        assert!(s.manage);

        let s = sample(json!({"id": 7, "price": 42.5, "modified": "0000-00-00 00:00:00"})).unwrap();
        assert_eq!(s.price, Some(Decimal::new(425, 1)));
        assert_eq!(s.modified, None);
    }

    #[test]
    fn rejects_nonsense_with_the_value() {
        let error = sample(json!({"id": 1, "price": "cheap"})).err().unwrap();
        assert!(error.to_string().contains("\"cheap\""), "{error}");
        let error = sample(json!({"id": 1, "modified": "yesterday"}))
            .err()
            .unwrap();
        assert!(error.to_string().contains("yesterday"), "{error}");
        assert!(sample(json!({"id": "x"})).is_err());
        assert!(sample(json!({"price": "1"})).is_err(), "the id is required");
    }
}
