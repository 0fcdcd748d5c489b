//! Foundations of the generator: each section's random stream, time, ids, money, links.

use super::*;

/// Each part of the store draws from its own stream, so growing one size (more orders) leaves
/// the other parts (the products) exactly as they were.
#[derive(Clone, Copy)]
pub(super) enum Section {
    Products = 1,
    Customers,
    Coupons,
    Orders,
    Reviews,
    OrderContents,
    ProductContents,
    CouponProducts,
}

pub(super) fn section_rng(seed: u64, section: Section) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(section as u64);
    rng
}

pub(super) const DAY: i64 = 86_400;
pub(super) const HOUR: i64 = 3_600;
/// How long the simulated store has been open before `now`.
pub(super) const STORE_AGE: i64 = 730 * DAY;
pub(super) const WOOCOMMERCE_VERSION: &str = "10.0.2";
/// The shop manager who issues refunds and writes private notes: WordPress user 1.
pub(super) const ADMIN_USER_ID: i64 = 1;
pub(super) const ADMIN_NAME: &str = "admin";

pub(super) struct Ctx {
    pub(super) site: String,
    pub(super) api: String,
    pub(super) now: i64,
    pub(super) opened: i64,
}

impl Ctx {
    pub(super) fn new(site_url: &str, now: i64) -> Self {
        let site = site_url.trim_end_matches('/').to_string();
        Ctx {
            api: format!("{site}/wp-json/wc/v3"),
            site,
            now,
            opened: now - STORE_AGE,
        }
    }

    pub(super) fn api(&self, path: &str) -> String {
        format!("{}/{path}", self.api)
    }
}

/// The id counters of a WordPress database. A fresh install already holds a few posts (sample
/// page, shop pages), terms (post category, product types) and the admin user, hence the
/// starting values.
pub(super) struct Counters {
    pub(super) post: i64,
    pub(super) term: i64,
    pub(super) user: i64,
    pub(super) comment: i64,
    pub(super) order_item: i64,
    pub(super) post_meta: i64,
    pub(super) order_meta: i64,
    pub(super) order_item_meta: i64,
}

impl Counters {
    pub(super) fn new() -> Self {
        Counters {
            post: 12,
            term: 15,
            user: ADMIN_USER_ID + 1,
            comment: 2,
            order_item: 1,
            post_meta: 120,
            order_meta: 1,
            order_item_meta: 1,
        }
    }
}

pub(super) fn take(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}

/// WordPress's date format in REST responses. The simulated store runs on UTC, so a date and
/// its `_gmt` twin are equal, as on the captured store.
pub(super) fn wp_date(timestamp: i64) -> String {
    DateTime::from_timestamp(timestamp, 0)
        .map(|date| date.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

pub(super) fn wp_date_or_null(timestamp: Option<i64>) -> Value {
    timestamp.map_or(Value::Null, |timestamp| Value::String(wp_date(timestamp)))
}

/// The "Y-m-d H:i:s" form some meta values use.
pub(super) fn mysql_date(timestamp: i64) -> String {
    DateTime::from_timestamp(timestamp, 0)
        .map(|date| date.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Money as WooCommerce sends it: a string with two decimals.
pub(super) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A line item's `price` is a PHP float in the JSON, not a string: its total over its
/// quantity, divided as floats (`get_total() / get_quantity()`), so 153.60 over 3 is
/// `51.199999999999996`, as a real store sends it.
pub(super) fn line_price(total_cents: i64, quantity: i64) -> Value {
    json!((total_cents as f64 / 100.0) / quantity.max(1) as f64)
}

/// Tax rates are kept in ten-thousandths of a percent (7.25% is 72_500), so tax on an amount
/// in cents is exact integer arithmetic, rounded half up like WooCommerce.
pub(super) fn tax_on(cents: i64, rate: i64) -> i64 {
    (cents * rate + 500_000) / 1_000_000
}

pub(super) fn between(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
    if to <= from {
        from
    } else {
        rng.random_range(from..=to)
    }
}

/// One of a non-empty list of reference values.
pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

pub(super) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for &(choice, weight) in choices {
        if roll < weight {
            return choice;
        }
        roll -= weight;
    }
    choices[choices.len() - 1].0
}

/// Which of `count` items are chosen, exactly `round(count * share)` of them.
pub(super) fn chosen(rng: &mut ChaCha8Rng, count: usize, share: f64) -> Vec<bool> {
    let wanted = ((count as f64) * share.clamp(0.0, 1.0)).round() as usize;
    let mut flags = vec![false; count];
    for index in rand::seq::index::sample(rng, count, wanted.min(count)) {
        flags[index] = true;
    }
    flags
}

/// `count` creation times in `[from, to]`, ascending. `bias` above 1 packs them towards `to`,
/// the way a growing store sees more orders every month.
pub(super) fn ascending_times(
    rng: &mut ChaCha8Rng,
    count: usize,
    from: i64,
    to: i64,
    bias: f64,
) -> Vec<i64> {
    let span = (to - from).max(0) as f64;
    let mut times: Vec<i64> = (0..count)
        .map(|_| from + (span * rng.random::<f64>().powf(1.0 / bias)) as i64)
        .collect();
    times.sort_unstable();
    times
}

/// WordPress's `sanitize_title` for the plain ASCII names used here.
pub(super) fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for character in name.chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// WordPress keeps slugs unique by appending `-2`, `-3`, ...
#[derive(Default)]
pub(super) struct SlugBook(HashMap<String, u32>);

impl SlugBook {
    pub(super) fn unique(&mut self, base: String) -> String {
        let seen = self.0.entry(base.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            base
        } else {
            format!("{base}-{seen}")
        }
    }
}

pub(super) fn gravatar(email: &str, size: u32) -> String {
    let hash = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
    format!("https://secure.gravatar.com/avatar/{hash}?s={size}&d=mm&r=g")
}

pub(super) const READ_WRITE: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
pub(super) const READ_DELETE: &[&str] = &["GET", "DELETE"];

/// `_links` with `self` (and the methods WordPress 6.8 advertises for it) and `collection`.
pub(super) fn links(self_href: String, allow: &[&str], collection: String) -> Map<String, Value> {
    let mut links = Map::new();
    links.insert(
        "self".into(),
        json!([{ "href": self_href, "targetHints": { "allow": allow } }]),
    );
    links.insert("collection".into(), href(collection));
    links
}

pub(super) fn href(url: String) -> Value {
    json!([{ "href": url }])
}

/// `json!` reaches the macro recursion limit past about 40 keys: big records are built in parts.
pub(super) fn merge_objects<const N: usize>(parts: [Value; N]) -> Value {
    let mut parts = parts.into_iter();
    let mut merged = match parts.next() {
        Some(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    for part in parts {
        if let Value::Object(fields) = part {
            merged.extend(fields);
        }
    }
    Value::Object(merged)
}

pub(super) fn meta_entries(counter: &mut i64, entries: &[(&str, String)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|(key, value)| json!({ "id": take(counter), "key": key, "value": value }))
            .collect(),
    )
}
