//! Field parsers that accept what real stores send: numbers as strings, `""` for none,
//! `null` dates, `"yes"`/`"no"` for booleans. Anything else is an error naming the value,
//! so the record is quarantined with a reason a person can act on.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
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
    if let Some(naive) = plain_gmt(text) {
        return Ok(Some(naive.and_utc()));
    }
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(with_zone.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .map(|naive| Some(naive.and_utc()))
}

/// `2026-11-22T12:07:20` (or with a space for the `T`), the form WooCommerce writes every
/// GMT date in, read field by field: four to an order, and `parse_from_str` reads its
/// format string anew on every call (2% of a worker's CPU). Anything else is left to the
/// general parsers.
fn plain_gmt(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 19
        && bytes.iter().enumerate().all(|(at, byte)| match at {
            4 | 7 => *byte == b'-',
            10 => matches!(byte, b'T' | b' '),
            13 | 16 => *byte == b':',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    let number = |from: usize, to: usize| -> u32 {
        bytes[from..to]
            .iter()
            .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
    };
    NaiveDate::from_ymd_opt(number(0, 4) as i32, number(5, 7), number(8, 10))?.and_hms_opt(
        number(11, 13),
        number(14, 16),
        number(17, 19),
    )
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

    #[test]
    fn gmt_dates_read_field_by_field_as_the_general_parser_reads_them() {
        for text in [
            "2026-11-22T12:07:20",
            "2026-11-22 12:07:20",
            "2024-02-29T23:59:59",
            "1999-12-31T00:00:00",
        ] {
            let general = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
                .unwrap();
            assert_eq!(plain_gmt(text), Some(general), "{text}");
        }
        // Not a date, or not in this form: left to the general parsers.
        for text in [
            "2026-02-30T12:07:20",
            "2026-11-22T12:07:20Z",
            "2026-11-22T1:07:20",
            "2026-11-22T+1:07:20",
        ] {
            assert_eq!(plain_gmt(text), None, "{text}");
        }
        assert_eq!(
            parse_gmt("2026-11-22T12:07:20+01:00").unwrap(),
            Some("2026-11-22T11:07:20Z".parse().unwrap())
        );
    }

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
