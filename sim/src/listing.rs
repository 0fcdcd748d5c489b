//! Listing a collection as WordPress does: `page`, `per_page` (at most 100), `offset`,
//! `orderby` with the id as tie-break, `order`, date filters, `include`, `_fields`, and the
//! `X-WP-Total`, `X-WP-TotalPages` and `Link` headers.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::error::SimError;

/// The most records WooCommerce lists in one page.
pub const MAX_PER_PAGE: usize = 100;

/// The pages a full listing of `count` records takes, at the most records a page.
pub fn full_pages(count: usize) -> usize {
    count.div_ceil(MAX_PER_PAGE).max(1)
}

#[derive(Debug, Clone)]
pub struct ListParams {
    pub page: usize,
    pub per_page: usize,
    pub offset: Option<usize>,
    pub orderby: String,
    pub descending: bool,
    pub modified_after: Option<String>,
    pub modified_before: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
    pub include: Option<Vec<i64>>,
    pub fields: Option<Vec<String>>,
    /// Products (and variations) with exactly this SKU.
    pub sku: Option<String>,
    /// Customers with exactly this email.
    pub email: Option<String>,
}

/// A page of a listing and what its headers say.
pub struct ListResult {
    pub records: Vec<Listed>,
    pub paging: Paging,
}

/// A record of a page: where it is in its collection, served as stored, or trimmed by
/// `_fields` to a record of its own.
pub enum Listed {
    Stored(usize),
    Trimmed(Value),
}

/// Where a page stands in its listing, for the paging headers.
pub struct Paging {
    pub total: usize,
    pub total_pages: usize,
    pub page: usize,
}

fn invalid(param: &str) -> SimError {
    SimError::new(
        400,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {param}"),
    )
}

impl ListParams {
    pub fn parse(query: &[(String, String)]) -> Result<ListParams, SimError> {
        let get = |name: &str| {
            query
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let number = |name: &str, default: usize| -> Result<usize, SimError> {
            get(name).map_or(Ok(default), |value| {
                value.parse().map_err(|_| invalid(name))
            })
        };
        let per_page = number("per_page", 10)?;
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(invalid("per_page"));
        }
        let page = number("page", 1)?.max(1);
        let offset = get("offset")
            .map(|value| value.parse().map_err(|_| invalid("offset")))
            .transpose()?;
        let descending = match get("order").as_deref() {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(invalid("order")),
        };
        let orderby = get("orderby").unwrap_or_else(|| "date".into());
        if ![
            "date",
            "id",
            "include",
            "title",
            "slug",
            "modified",
            "name",
            "registered_date",
        ]
        .contains(&orderby.as_str())
        {
            return Err(invalid("orderby"));
        }
        let include = get("include")
            .map(|list| {
                list.split(',')
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| part.trim().parse().map_err(|_| invalid("include")))
                    .collect::<Result<Vec<i64>, _>>()
            })
            .transpose()?;
        let fields = get("_fields").map(|list| list.split(',').map(str::to_string).collect());
        Ok(ListParams {
            page,
            per_page,
            offset,
            orderby,
            descending,
            modified_after: get("modified_after").map(|date| normalise_date(&date)),
            modified_before: get("modified_before").map(|date| normalise_date(&date)),
            after: get("after").map(|date| normalise_date(&date)),
            before: get("before").map(|date| normalise_date(&date)),
            include,
            fields,
            sku: get("sku"),
            email: get("email"),
        })
    }
}

/// Dates compare as text in WooCommerce's `YYYY-MM-DDTHH:MM:SS`.
fn normalise_date(date: &str) -> String {
    date.chars().take(19).collect::<String>().replace(' ', "T")
}

fn text<'a>(record: &'a Value, field: &str) -> &'a str {
    record.get(field).and_then(Value::as_str).unwrap_or("")
}

fn id(record: &Value) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or_default()
}

pub fn list(records: &[Value], params: &ListParams) -> ListResult {
    let unfiltered = params.modified_after.is_none()
        && params.modified_before.is_none()
        && params.after.is_none()
        && params.before.is_none()
        && params.include.is_none()
        && params.sku.is_none()
        && params.email.is_none();
    let listed = |index: usize| match params.fields.as_deref() {
        Some(fields) => Listed::Trimmed(only_fields(&records[index], Some(fields)).into_owned()),
        None => Listed::Stored(index),
    };
    if unfiltered && params.orderby == "id" && !params.descending {
        // Collections are kept in id order: a page is a slice, as a database index would
        // serve it, so a large store costs the simulator no more per page than a small one.
        let total = records.len();
        let start = params
            .offset
            .unwrap_or((params.page - 1) * params.per_page)
            .min(total);
        let end = start.saturating_add(params.per_page).min(total);
        return ListResult {
            records: (start..end).map(listed).collect(),
            paging: Paging {
                total,
                total_pages: total.div_ceil(params.per_page),
                page: params.page,
            },
        };
    }
    let candidates: Vec<usize> = match &params.include {
        // Looked up by id, as a database's index would: collections are kept in id order.
        Some(ids) => {
            let mut found: Vec<usize> = ids
                .iter()
                .filter_map(|wanted| records.binary_search_by_key(wanted, id).ok())
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        }
        None => (0..records.len()).collect(),
    };
    let mut matching: Vec<usize> = candidates
        .into_iter()
        .filter(|index| {
            let record = &records[*index];
            let modified = text(record, "date_modified_gmt");
            let created = text(record, "date_created_gmt");
            params
                .modified_after
                .as_deref()
                .is_none_or(|after| modified > after)
                && params
                    .modified_before
                    .as_deref()
                    .is_none_or(|before| modified < before)
                && params.after.as_deref().is_none_or(|after| created > after)
                && params
                    .before
                    .as_deref()
                    .is_none_or(|before| created < before)
                && params
                    .sku
                    .as_deref()
                    .is_none_or(|sku| text(record, "sku") == sku)
                && params
                    .email
                    .as_deref()
                    .is_none_or(|email| text(record, "email").eq_ignore_ascii_case(email))
        })
        .collect();
    let by_field = |field: &'static str| {
        move |a: &usize, b: &usize| {
            let (a, b) = (&records[*a], &records[*b]);
            text(a, field).cmp(text(b, field)).then(id(a).cmp(&id(b)))
        }
    };
    match params.orderby.as_str() {
        "date" | "registered_date" => matching.sort_by(by_field("date_created_gmt")),
        "modified" => matching.sort_by(by_field("date_modified_gmt")),
        "title" | "name" => matching.sort_by(by_field("name")),
        "slug" => matching.sort_by(by_field("slug")),
        "include" => {
            let order = params.include.clone().unwrap_or_default();
            matching.sort_by_key(|index| {
                order
                    .iter()
                    .position(|wanted| *wanted == id(&records[*index]))
            });
        }
        // "id", and the collections stored in id order already.
        _ => matching.sort_by_key(|index| id(&records[*index])),
    }
    if params.descending && params.orderby != "include" {
        matching.reverse();
    }
    let total = matching.len();
    let start = params.offset.unwrap_or((params.page - 1) * params.per_page);
    let records = matching
        .into_iter()
        .skip(start)
        .take(params.per_page)
        .map(listed)
        .collect();
    ListResult {
        records,
        paging: Paging {
            total,
            total_pages: total.div_ceil(params.per_page),
            page: params.page,
        },
    }
}

/// `_fields`: the record with only the named top-level fields.
pub fn only_fields<'a>(record: &'a Value, fields: Option<&[String]>) -> Cow<'a, Value> {
    match (fields, record) {
        (Some(fields), Value::Object(object)) => Cow::Owned(Value::Object(
            object
                .iter()
                .filter(|(key, _)| fields.iter().any(|field| field == *key))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect::<Map<String, Value>>(),
        )),
        _ => Cow::Borrowed(record),
    }
}

/// The `Link` header of a page: `prev` and `next` only, with the request's own query (its
/// `oauth_*` parameters included, as a real store does) and the page changed.
pub fn link_header(
    base_url: &str,
    query: &[(String, String)],
    page: usize,
    total_pages: usize,
) -> Option<String> {
    let with_page = |page: usize| {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .filter(|(key, _)| key != "page")
            .cloned()
            .collect();
        pairs.push(("page".into(), page.to_string()));
        let encoded: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("<{base_url}?{encoded}>")
    };
    let mut links = Vec::new();
    if page > 1 && page <= total_pages + 1 {
        links.push(format!("{}; rel=\"prev\"", with_page(page - 1)));
    }
    if page < total_pages {
        links.push(format!("{}; rel=\"next\"", with_page(page + 1)));
    }
    (!links.is_empty()).then(|| links.join(", "))
}
