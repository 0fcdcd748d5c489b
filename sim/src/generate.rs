//! A seeded, deterministic generator of a simulated WooCommerce store.
//!
//! Every record is the JSON WooCommerce 10 sends for it, shaped after the responses captured
//! from a real store (`shared/woocommerce/captures`), so code that syncs a real store can be
//! exercised against the simulation at any size. The same seed and sizes always give the same
//! catalog: a failing test or a load run can be replayed exactly.
//!
//! Ids are handed out the way WordPress hands them out, because sync code leans on that: one
//! counter for posts (products, variations, coupons, orders, refunds), taken in the order the
//! records were created; one for terms (categories, attribute terms, tags, shipping classes);
//! one for users; one for comments (order notes and reviews).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// How many records of each kind to make.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub products: usize,
    /// Fraction of products that are variable.
    pub variable_share: f64,
    /// Variations of each variable product: at most 24 (6 colors by 4 sizes); 0 makes every
    /// product simple.
    pub variations_per_product: usize,
    pub orders: usize,
    pub customers: usize,
    pub coupons: usize,
    pub categories: usize,
    pub tags: usize,
    pub reviews: usize,
    /// Fraction of orders with one refund.
    pub refund_share: f64,
    pub notes_per_order: usize,
}

impl Default for Sizes {
    /// A small but realistic store.
    fn default() -> Self {
        Sizes {
            products: 60,
            variable_share: 0.25,
            variations_per_product: 3,
            orders: 80,
            customers: 30,
            coupons: 6,
            categories: 12,
            tags: 5,
            reviews: 20,
            refund_share: 0.1,
            notes_per_order: 2,
        }
    }
}

/// Everything a store holds, each record as the JSON WooCommerce 10 sends for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Ids ascending.
    pub products: Vec<Value>,
    /// By parent product id, ids ascending.
    pub variations: BTreeMap<i64, Vec<Value>>,
    /// Ids ascending.
    pub orders: Vec<Value>,
    /// By order id.
    pub refunds: BTreeMap<i64, Vec<Value>>,
    /// By order id, ids ascending.
    pub notes: BTreeMap<i64, Vec<Value>>,
    pub customers: Vec<Value>,
    pub categories: Vec<Value>,
    pub tags: Vec<Value>,
    pub attributes: Vec<Value>,
    /// By attribute id.
    pub terms: BTreeMap<i64, Vec<Value>>,
    pub reviews: Vec<Value>,
    pub shipping_classes: Vec<Value>,
    pub coupons: Vec<Value>,
    pub tax_rates: Vec<Value>,
    pub tax_classes: Vec<Value>,
    pub zones: Vec<Value>,
    /// By zone id; zone 0 has none.
    pub zone_locations: BTreeMap<i64, Vec<Value>>,
    /// By zone id; zone 0 has none.
    pub zone_methods: BTreeMap<i64, Vec<Value>>,
    pub shipping_methods: Vec<Value>,
    pub payment_gateways: Vec<Value>,
}

/// Builds a whole store. `site_url` is the store's home URL without a trailing slash; every
/// date lies before `now`.
pub fn generate(seed: u64, sizes: &Sizes, site_url: &str, now: DateTime<Utc>) -> Catalog {
    let ctx = Ctx::new(site_url, now.timestamp());
    let mut ids = Counters::new();
    let mut taxonomy = Taxonomy::plan(sizes, &mut ids);

    let mut products = plan_products(
        &mut section_rng(seed, Section::Products),
        sizes,
        &ctx,
        &taxonomy,
    );
    let mut customers = plan_customers(
        &mut section_rng(seed, Section::Customers),
        sizes,
        &ctx,
        &mut ids,
    );
    let mut coupons = plan_coupons(&mut section_rng(seed, Section::Coupons), sizes, &ctx);
    let mut orders = plan_orders(&mut section_rng(seed, Section::Orders), sizes, &ctx);
    allocate_post_ids(&mut ids, &mut products, &mut coupons, &mut orders);
    link_coupon_products(
        &mut section_rng(seed, Section::CouponProducts),
        &mut coupons,
        &products,
    );

    let mut reviews = plan_reviews(
        &mut section_rng(seed, Section::Reviews),
        sizes,
        &ctx,
        &mut products,
        &customers,
    );
    let mut writer = OrderWriter {
        rng: section_rng(seed, Section::OrderContents),
        ctx: &ctx,
        ids: &mut ids,
        products: &mut products,
        customers: &mut customers,
        notes_per_order: sizes.notes_per_order,
        output: OrderOutput::default(),
    };
    for order in &orders {
        writer.write(order);
    }
    let mut order_output = writer.output;
    allocate_comment_ids(&mut ids, &mut order_output.notes, &mut reviews);

    let mut catalog = Catalog {
        orders: order_output.orders,
        refunds: order_output.refunds,
        ..Catalog::default()
    };
    for note in &order_output.notes {
        catalog
            .notes
            .entry(note.order_id)
            .or_default()
            .push(render_note(&ctx, note));
    }
    catalog.reviews = reviews
        .iter()
        .map(|review| render_review(&ctx, review, &products, &customers))
        .collect();

    taxonomy.count_uses(&products);
    let mut product_rng = section_rng(seed, Section::ProductContents);
    let by_category = products_by_category(&products, taxonomy.categories.len());
    for (index, product) in products.iter().enumerate() {
        catalog.products.push(render_product(
            &mut product_rng,
            &ctx,
            &mut ids,
            &taxonomy,
            &products,
            &by_category,
            index,
        ));
        if !product.variations.is_empty() {
            let variations = product
                .variations
                .iter()
                .map(|variation| render_variation(&ctx, &taxonomy, product, variation))
                .collect();
            catalog.variations.insert(product.id, variations);
        }
    }
    catalog.customers = customers
        .iter()
        .map(|customer| render_customer(&ctx, customer))
        .collect();
    catalog.coupons = coupons
        .iter()
        .map(|coupon| render_coupon(&ctx, coupon))
        .collect();
    catalog.categories = taxonomy
        .categories
        .iter()
        .map(|category| render_category(&ctx, category))
        .collect();
    catalog.tags = taxonomy
        .tags
        .iter()
        .map(|tag| render_tag(&ctx, tag))
        .collect();
    for attribute in &taxonomy.attributes {
        catalog.attributes.push(render_attribute(&ctx, attribute));
        let terms = attribute
            .terms
            .iter()
            .map(|term| render_attribute_term(&ctx, attribute.id, term))
            .collect();
        catalog.terms.insert(attribute.id, terms);
    }
    catalog.shipping_classes = taxonomy
        .shipping_classes
        .iter()
        .map(|class| render_shipping_class(&ctx, class))
        .collect();

    catalog.tax_classes = render_tax_classes(&ctx);
    catalog.tax_rates = TAX_RATES
        .iter()
        .enumerate()
        .map(|(index, rate)| render_tax_rate(&ctx, index, rate))
        .collect();
    catalog.zones = render_zones(&ctx);
    for (index, zone) in ZONES.iter().enumerate() {
        let zone_id = index as i64 + 1;
        catalog
            .zone_locations
            .insert(zone_id, render_zone_locations(&ctx, zone_id, zone));
        catalog
            .zone_methods
            .insert(zone_id, render_zone_methods(&ctx, zone_id, zone));
    }
    catalog.shipping_methods = render_shipping_methods(&ctx);
    catalog.payment_gateways = render_payment_gateways(&ctx);
    catalog
}

// ---------------------------------------------------------------------------------------------
// Foundations: randomness, time, ids, money, links.

/// Each part of the store draws from its own stream, so growing one size (more orders) leaves
/// the other parts (the products) exactly as they were.
#[derive(Clone, Copy)]
enum Section {
    Products = 1,
    Customers,
    Coupons,
    Orders,
    Reviews,
    OrderContents,
    ProductContents,
    CouponProducts,
}

fn section_rng(seed: u64, section: Section) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(section as u64);
    rng
}

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// How long the simulated store has been open before `now`.
const STORE_AGE: i64 = 730 * DAY;
const WOOCOMMERCE_VERSION: &str = "10.0.2";
/// The shop manager who issues refunds and writes private notes: WordPress user 1.
const ADMIN_USER_ID: i64 = 1;
const ADMIN_NAME: &str = "admin";

struct Ctx {
    site: String,
    api: String,
    now: i64,
    opened: i64,
}

impl Ctx {
    fn new(site_url: &str, now: i64) -> Self {
        let site = site_url.trim_end_matches('/').to_string();
        Ctx {
            api: format!("{site}/wp-json/wc/v3"),
            site,
            now,
            opened: now - STORE_AGE,
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}/{path}", self.api)
    }
}

/// The id counters of a WordPress database. A fresh install already holds a few posts (sample
/// page, shop pages), terms (post category, product types) and the admin user, hence the
/// starting values.
struct Counters {
    post: i64,
    term: i64,
    user: i64,
    comment: i64,
    order_item: i64,
    post_meta: i64,
    order_meta: i64,
    order_item_meta: i64,
}

impl Counters {
    fn new() -> Self {
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

fn take(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}

/// WordPress's date format in REST responses. The simulated store runs on UTC, so a date and
/// its `_gmt` twin are equal, as on the captured store.
fn wp_date(timestamp: i64) -> String {
    DateTime::from_timestamp(timestamp, 0)
        .map(|date| date.format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

fn wp_date_or_null(timestamp: Option<i64>) -> Value {
    timestamp.map_or(Value::Null, |timestamp| Value::String(wp_date(timestamp)))
}

/// The "Y-m-d H:i:s" form some meta values use.
fn mysql_date(timestamp: i64) -> String {
    DateTime::from_timestamp(timestamp, 0)
        .map(|date| date.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Money as WooCommerce sends it: a string with two decimals.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A line item's `price` is a PHP float in the JSON, not a string: its total over its
/// quantity, divided as floats (`get_total() / get_quantity()`), so 153.60 over 3 is
/// `51.199999999999996`, as a real store sends it.
fn line_price(total_cents: i64, quantity: i64) -> Value {
    json!((total_cents as f64 / 100.0) / quantity.max(1) as f64)
}

/// Tax rates are kept in ten-thousandths of a percent (7.25% is 72_500), so tax on an amount
/// in cents is exact integer arithmetic, rounded half up like WooCommerce.
fn tax_on(cents: i64, rate: i64) -> i64 {
    (cents * rate + 500_000) / 1_000_000
}

fn between(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
    if to <= from {
        from
    } else {
        rng.random_range(from..=to)
    }
}

/// One of a non-empty list of reference values.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
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
fn chosen(rng: &mut ChaCha8Rng, count: usize, share: f64) -> Vec<bool> {
    let wanted = ((count as f64) * share.clamp(0.0, 1.0)).round() as usize;
    let mut flags = vec![false; count];
    for index in rand::seq::index::sample(rng, count, wanted.min(count)) {
        flags[index] = true;
    }
    flags
}

/// `count` creation times in `[from, to]`, ascending. `bias` above 1 packs them towards `to`,
/// the way a growing store sees more orders every month.
fn ascending_times(rng: &mut ChaCha8Rng, count: usize, from: i64, to: i64, bias: f64) -> Vec<i64> {
    let span = (to - from).max(0) as f64;
    let mut times: Vec<i64> = (0..count)
        .map(|_| from + (span * rng.random::<f64>().powf(1.0 / bias)) as i64)
        .collect();
    times.sort_unstable();
    times
}

/// WordPress's `sanitize_title` for the plain ASCII names used here.
fn slugify(name: &str) -> String {
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
struct SlugBook(HashMap<String, u32>);

impl SlugBook {
    fn unique(&mut self, base: String) -> String {
        let seen = self.0.entry(base.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            base
        } else {
            format!("{base}-{seen}")
        }
    }
}

fn gravatar(email: &str, size: u32) -> String {
    let hash = hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()));
    format!("https://secure.gravatar.com/avatar/{hash}?s={size}&d=mm&r=g")
}

const READ_WRITE: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
const READ_DELETE: &[&str] = &["GET", "DELETE"];

/// `_links` with `self` (and the methods WordPress 6.8 advertises for it) and `collection`.
fn links(self_href: String, allow: &[&str], collection: String) -> Map<String, Value> {
    let mut links = Map::new();
    links.insert(
        "self".into(),
        json!([{ "href": self_href, "targetHints": { "allow": allow } }]),
    );
    links.insert("collection".into(), href(collection));
    links
}

fn href(url: String) -> Value {
    json!([{ "href": url }])
}

/// `json!` reaches the macro recursion limit past about 40 keys: big records are built in parts.
fn merge_objects<const N: usize>(parts: [Value; N]) -> Value {
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

fn meta_entries(counter: &mut i64, entries: &[(&str, String)]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|(key, value)| json!({ "id": take(counter), "key": key, "value": value }))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Reference data.

struct CategorySeed {
    name: &'static str,
    parent: Option<&'static str>,
    nouns: &'static [&'static str],
    tax_class: &'static str,
}

const fn category(
    name: &'static str,
    parent: Option<&'static str>,
    nouns: &'static [&'static str],
    tax_class: &'static str,
) -> CategorySeed {
    CategorySeed {
        name,
        parent,
        nouns,
        tax_class,
    }
}

/// Parents come before their children, and the first dozen cover every department, so any
/// prefix of the list is a valid tree.
const CATEGORIES: &[CategorySeed] = &[
    category(
        "Uncategorized",
        None,
        &["Gift Card", "Mystery Box", "Sampler"],
        "zero-rate",
    ),
    category("Clothing", None, &["Jacket", "Coat", "Scarf"], ""),
    category("Electronics", None, &["Charger", "Power Bank", "Cable"], ""),
    category("Home", None, &["Lamp", "Vase", "Blanket"], ""),
    category("Toys", None, &["Robot", "Kite", "Plush Bear"], ""),
    category("Outdoor", None, &["Lantern", "Hammock", "Cooler"], ""),
    category(
        "Books",
        None,
        &["Notebook", "Journal", "Atlas"],
        "reduced-rate",
    ),
    category(
        "Sports",
        None,
        &["Yoga Mat", "Water Bottle", "Jump Rope"],
        "",
    ),
    category("Beauty", None, &["Face Oil", "Soap Bar", "Lip Balm"], ""),
    category(
        "Shirts",
        Some("Clothing"),
        &["T-Shirt", "Polo", "Oxford Shirt"],
        "",
    ),
    category(
        "Audio",
        Some("Electronics"),
        &["Speaker", "Headphones", "Earbuds"],
        "",
    ),
    category(
        "Kitchen",
        Some("Home"),
        &["Kettle", "Chef Knife", "Cutting Board"],
        "",
    ),
    category(
        "Board Games",
        Some("Toys"),
        &["Strategy Game", "Card Game", "Dice Set"],
        "",
    ),
    category(
        "Camping",
        Some("Outdoor"),
        &["Tent", "Sleeping Bag", "Camp Stove"],
        "",
    ),
    category(
        "Fiction",
        Some("Books"),
        &["Novel", "Story Collection", "Graphic Novel"],
        "reduced-rate",
    ),
    category(
        "Fitness",
        Some("Sports"),
        &["Kettlebell", "Resistance Band", "Foam Roller"],
        "",
    ),
    category(
        "Skincare",
        Some("Beauty"),
        &["Moisturizer", "Serum", "Cleanser"],
        "",
    ),
    category(
        "Hoodies",
        Some("Clothing"),
        &["Hoodie", "Zip Hoodie", "Sweatshirt"],
        "",
    ),
    category(
        "Cameras",
        Some("Electronics"),
        &["Action Camera", "Tripod", "Camera Strap"],
        "",
    ),
    category(
        "Furniture",
        Some("Home"),
        &["Chair", "Side Table", "Bookshelf"],
        "",
    ),
    category(
        "Puzzles",
        Some("Toys"),
        &["Jigsaw Puzzle", "Puzzle Box", "Brain Teaser"],
        "",
    ),
    category(
        "Garden",
        Some("Outdoor"),
        &["Planter", "Watering Can", "Pruner"],
        "",
    ),
    category(
        "Cookbooks",
        Some("Books"),
        &["Cookbook", "Baking Guide", "Recipe Journal"],
        "reduced-rate",
    ),
    category(
        "Cycling",
        Some("Sports"),
        &["Bike Light", "Bike Lock", "Cycling Gloves"],
        "",
    ),
    category(
        "Accessories",
        Some("Clothing"),
        &["Cap", "Belt", "Tote Bag"],
        "",
    ),
    category(
        "Decor",
        Some("Home"),
        &["Wall Clock", "Picture Frame", "Candle"],
        "",
    ),
];

/// Nouns for the numbered collections made once the named categories run out.
const COLLECTION_NOUNS: &[&str] = &["Gift Set", "Bundle", "Starter Kit"];

const TAGS: &[&str] = &[
    "bestseller",
    "new",
    "eco",
    "limited",
    "sale",
    "gift idea",
    "handmade",
    "organic",
    "premium",
    "clearance",
    "summer",
    "winter",
    "bundle",
    "vegan",
    "recycled",
];

struct AttributeSeed {
    name: &'static str,
    slug: &'static str,
    has_archives: bool,
    terms: &'static [&'static str],
}

/// Variable products vary by both: the first attribute is the color, the second the size.
const ATTRIBUTES: &[AttributeSeed] = &[
    AttributeSeed {
        name: "Color",
        slug: "pa_color",
        has_archives: true,
        terms: &["Black", "Blue", "Green", "Grey", "Red", "White"],
    },
    AttributeSeed {
        name: "Size",
        slug: "pa_size",
        has_archives: false,
        terms: &["S", "M", "L", "XL"],
    },
];
const COLOR: usize = 0;
const SIZE: usize = 1;

const SHIPPING_CLASSES: &[(&str, &str)] = &[
    ("Bulky items", "Large or heavy items that ship by freight."),
    ("Small parcel", "Fits through a letterbox."),
];

struct TaxRateSeed {
    country: &'static str,
    state: &'static str,
    /// Ten-thousandths of a percent.
    rate: i64,
    name: &'static str,
    shipping: bool,
    class: &'static str,
}

const fn tax_rate(
    country: &'static str,
    state: &'static str,
    rate: i64,
    name: &'static str,
    shipping: bool,
    class: &'static str,
) -> TaxRateSeed {
    TaxRateSeed {
        country,
        state,
        rate,
        name,
        shipping,
        class,
    }
}

const TAX_RATES: &[TaxRateSeed] = &[
    tax_rate("US", "CA", 72_500, "CA State Tax", true, "standard"),
    tax_rate("US", "NY", 88_750, "NY Tax", true, "standard"),
    tax_rate("US", "TX", 62_500, "TX Tax", false, "standard"),
    tax_rate("US", "WA", 65_000, "WA State Tax", true, "standard"),
    tax_rate("DE", "", 190_000, "MwSt", true, "standard"),
    tax_rate("DE", "", 70_000, "MwSt reduziert", false, "reduced-rate"),
    tax_rate("FR", "", 200_000, "TVA", true, "standard"),
    tax_rate("FR", "", 55_000, "TVA reduite", false, "reduced-rate"),
    tax_rate("GB", "", 200_000, "VAT", true, "standard"),
    tax_rate("GB", "", 0, "VAT", false, "zero-rate"),
];
const FIRST_TAX_RATE_ID: i64 = 1;

/// The rate WooCommerce applies to an item of `tax_class` shipped to `country`/`state`.
fn tax_rate_for(
    country: &str,
    state: &str,
    tax_class: &str,
) -> Option<(i64, &'static TaxRateSeed)> {
    let class = if tax_class.is_empty() {
        "standard"
    } else {
        tax_class
    };
    TAX_RATES
        .iter()
        .enumerate()
        .find(|(_, rate)| {
            rate.country == country
                && (rate.state.is_empty() || rate.state == state)
                && rate.class == class
        })
        .map(|(index, rate)| (FIRST_TAX_RATE_ID + index as i64, rate))
}

fn rate_code(rate: &TaxRateSeed) -> String {
    let mut parts = vec![rate.country.to_string()];
    if !rate.state.is_empty() {
        parts.push(rate.state.to_string());
    }
    parts.push(rate.name.to_uppercase());
    parts.push("1".to_string());
    parts.join("-")
}

struct ZoneSeed {
    name: &'static str,
    countries: &'static [&'static str],
    flat_rate_cents: i64,
    free_shipping_minimum_cents: i64,
}

/// Zones 1, 2, ... in this order; zone 0 covers the rest of the world and ships nowhere.
const ZONES: &[ZoneSeed] = &[
    ZoneSeed {
        name: "United States (US)",
        countries: &["US"],
        flat_rate_cents: 999,
        free_shipping_minimum_cents: 10_000,
    },
    ZoneSeed {
        name: "Europe",
        countries: &["DE", "FR", "GB"],
        flat_rate_cents: 1_499,
        free_shipping_minimum_cents: 15_000,
    },
];

/// Each zone has a flat rate (instance `2z-1`) and free shipping (instance `2z`).
fn zone_instance_ids(zone_id: i64) -> (i64, i64) {
    (2 * zone_id - 1, 2 * zone_id)
}

fn zone_for_country(country: &str) -> Option<(i64, &'static ZoneSeed)> {
    ZONES
        .iter()
        .enumerate()
        .find(|(_, zone)| zone.countries.contains(&country))
        .map(|(index, zone)| (index as i64 + 1, zone))
}

#[derive(Clone, Copy)]
struct Place {
    city: &'static str,
    state: &'static str,
    postcode: &'static str,
    country: &'static str,
}

const fn place(
    city: &'static str,
    state: &'static str,
    postcode: &'static str,
    country: &'static str,
) -> Place {
    Place {
        city,
        state,
        postcode,
        country,
    }
}

const US_PLACES: &[Place] = &[
    place("Seattle", "WA", "98101", "US"),
    place("Austin", "TX", "73301", "US"),
    place("Houston", "TX", "77002", "US"),
    place("New York", "NY", "10001", "US"),
    place("Brooklyn", "NY", "11201", "US"),
    place("Los Angeles", "CA", "90012", "US"),
    place("San Francisco", "CA", "94103", "US"),
    place("Chicago", "IL", "60601", "US"),
    place("Portland", "OR", "97201", "US"),
    place("Denver", "CO", "80202", "US"),
    place("Boston", "MA", "02108", "US"),
    place("Miami", "FL", "33130", "US"),
];

const EUROPE_PLACES: &[Place] = &[
    place("Berlin", "", "10115", "DE"),
    place("Munich", "", "80331", "DE"),
    place("Hamburg", "", "20095", "DE"),
    place("Paris", "", "75001", "FR"),
    place("Lyon", "", "69001", "FR"),
    place("London", "", "SW1A 1AA", "GB"),
    place("Manchester", "", "M1 1AE", "GB"),
];

const FIRST_NAMES: &[&str] = &[
    "Oliver",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mason",
    "Charlotte",
    "Ethan",
    "Amelia",
    "Patricia",
    "Robert",
    "Hannah",
    "Jonas",
    "Lena",
    "Louis",
    "Chloe",
    "Harry",
    "Grace",
    "Mateo",
    "Sofia",
    "Daniel",
    "Leah",
    "Finn",
];

const LAST_NAMES: &[&str] = &[
    "Smith", "Brown", "Garcia", "Johnson", "Williams", "Miller", "Davis", "Martinez", "Lopez",
    "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Walker",
    "Young", "King", "Mueller", "Schmidt", "Fischer", "Dubois", "Laurent", "Bernard", "Evans",
    "Hughes", "Clarke", "Patel",
];

const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Northwind Traders",
    "Blue Harbor LLC",
    "Umbrella Studio",
];

const ADJECTIVES: &[&str] = &[
    "Classic",
    "Vintage",
    "Smart",
    "Urban",
    "Eco",
    "Deluxe",
    "Rustic",
    "Modern",
    "Compact",
    "Premium",
    "Essential",
    "Nordic",
    "Heritage",
    "Everyday",
    "Pro",
    "Coastal",
    "Alpine",
    "Studio",
    "Weekend",
    "Signature",
];

const MATERIALS: &[&str] = &[
    "Oak", "Linen", "Bamboo", "Leather", "Cotton", "Steel", "Ceramic", "Walnut", "Wool", "Recycled",
];

const OPENERS: &[&str] = &[
    "Meet the {name}, built for everyday use and made to last.",
    "The {name} pairs thoughtful design with honest, durable materials.",
    "Designed in-house and tested by our team for months, the {name} quickly became a customer favourite.",
    "Upgrade your routine with the {name}, our take on a {noun} done right.",
    "If you have been looking for a {noun} that simply works, the {name} is it.",
];

const DETAILS: &[&str] = &[
    "Every piece is inspected by hand before it leaves our workshop.",
    "The finish resists scratches, stains and fading, even after years of daily use.",
    "It is light enough to take anywhere and sturdy enough to last for years.",
    "Materials come from suppliers we have worked with for over a decade.",
    "Packaging is plastic-free and fully recyclable.",
    "Care is simple: wipe it clean with a damp cloth and let it dry naturally.",
    "It pairs well with the rest of our {category} range.",
    "Small batches keep the quality consistent and the waste low.",
    "Reviewers keep mentioning how well it holds up after months of use.",
    "We test every design with real customers before it reaches the shop.",
];

const CLOSERS: &[&str] = &[
    "Ships within two business days from our warehouse.",
    "Covered by our two-year warranty and thirty-day returns.",
    "Not sure it is right for you? Our support team is happy to help.",
    "Order before 2pm for same-day dispatch.",
];

const REVIEW_TEXTS: &[&str] = &[
    "Exactly as described and arrived quickly.",
    "Sturdy, well made and looks great. Would buy again.",
    "Good value for the price, though the colour is slightly darker than in the photos.",
    "Took a while to arrive but the quality makes up for it.",
    "My second one already: it is that good.",
    "Not quite what I expected, the size runs small.",
    "Lovely finish and the packaging was plastic-free.",
    "Works well, but the instructions could be clearer.",
];

const REFUND_REASONS: &[&str] = &[
    "Damaged in transit",
    "Customer changed their mind",
    "Item out of stock",
    "Price adjustment",
    "Late delivery",
    "",
];

const USER_AGENTS: &[(&str, &str)] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Desktop",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Desktop",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mobile",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Tablet",
    ),
];

#[derive(Clone, Copy)]
struct Gateway {
    id: &'static str,
    title: &'static str,
}

/// The offline gateways of the captured store; simulated checkouts pay with them.
const GATEWAYS: &[Gateway] = &[
    Gateway {
        id: "bacs",
        title: "Direct bank transfer",
    },
    Gateway {
        id: "cheque",
        title: "Check payments",
    },
    Gateway {
        id: "cod",
        title: "Cash on delivery",
    },
];

// ---------------------------------------------------------------------------------------------
// Terms: categories, tags, attributes and their terms, shipping classes.

struct Term {
    id: i64,
    name: String,
    slug: String,
    count: i64,
}

impl Term {
    fn new(ids: &mut Counters, name: String) -> Self {
        Term {
            id: take(&mut ids.term),
            slug: slugify(&name),
            name,
            count: 0,
        }
    }

    fn reference(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "slug": self.slug })
    }
}

struct CategoryPlan {
    term: Term,
    parent_id: i64,
    nouns: &'static [&'static str],
    tax_class: &'static str,
    description: String,
}

struct AttributePlan {
    id: i64,
    seed: &'static AttributeSeed,
    terms: Vec<Term>,
}

struct ShippingClassPlan {
    term: Term,
    description: &'static str,
}

struct Taxonomy {
    categories: Vec<CategoryPlan>,
    tags: Vec<Term>,
    attributes: Vec<AttributePlan>,
    shipping_classes: Vec<ShippingClassPlan>,
}

impl Taxonomy {
    fn plan(sizes: &Sizes, ids: &mut Counters) -> Self {
        let mut categories: Vec<CategoryPlan> = Vec::with_capacity(sizes.categories);
        for index in 0..sizes.categories {
            let plan = match CATEGORIES.get(index) {
                Some(seed) => {
                    let parent_id = seed
                        .parent
                        .and_then(|parent| {
                            categories
                                .iter()
                                .find(|category| category.term.name == parent)
                        })
                        .map_or(0, |parent| parent.term.id);
                    let description = if index % 2 == 1 {
                        format!(
                            "Our {} range, chosen and tested by our team.",
                            seed.name.to_lowercase()
                        )
                    } else {
                        String::new()
                    };
                    CategoryPlan {
                        term: Term::new(ids, seed.name.to_string()),
                        parent_id,
                        nouns: seed.nouns,
                        tax_class: seed.tax_class,
                        description,
                    }
                }
                None => CategoryPlan {
                    term: Term::new(ids, format!("Collection {}", index + 1 - CATEGORIES.len())),
                    parent_id: 0,
                    nouns: COLLECTION_NOUNS,
                    tax_class: "",
                    description: String::new(),
                },
            };
            categories.push(plan);
        }
        let attributes = ATTRIBUTES
            .iter()
            .enumerate()
            .map(|(index, seed)| AttributePlan {
                id: index as i64 + 1,
                seed,
                terms: seed
                    .terms
                    .iter()
                    .map(|name| Term::new(ids, name.to_string()))
                    .collect(),
            })
            .collect();
        let tags = (0..sizes.tags)
            .map(|index| {
                let name = TAGS
                    .get(index)
                    .map_or_else(|| format!("tag {}", index + 1), |name| name.to_string());
                Term::new(ids, name)
            })
            .collect();
        let shipping_classes = SHIPPING_CLASSES
            .iter()
            .map(|(name, description)| ShippingClassPlan {
                term: Term::new(ids, name.to_string()),
                description,
            })
            .collect();
        Taxonomy {
            categories,
            tags,
            attributes,
            shipping_classes,
        }
    }

    /// The categories products are filed under: the leaves and departments, not
    /// "Uncategorized", unless nothing else exists.
    fn fileable_categories(&self) -> std::ops::Range<usize> {
        if self.categories.len() > 1 {
            1..self.categories.len()
        } else {
            0..self.categories.len()
        }
    }

    fn count_uses(&mut self, products: &[ProductPlan]) {
        for product in products {
            for &category in &product.categories {
                self.categories[category].term.count += 1;
            }
            for &tag in &product.tags {
                self.tags[tag].count += 1;
            }
            for attribute in &product.attributes {
                for &term in &attribute.terms {
                    self.attributes[attribute.attribute].terms[term].count += 1;
                }
            }
            if let Some(class) = product.shipping_class {
                self.shipping_classes[class].term.count += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Products and variations.

#[derive(Clone, Copy)]
struct Stock {
    managed: bool,
    quantity: Option<i64>,
    status: &'static str,
    backorders: &'static str,
}

impl Stock {
    fn random(rng: &mut ChaCha8Rng) -> Self {
        if rng.random_bool(0.7) {
            return Stock::random_managed(rng);
        }
        Stock {
            managed: false,
            quantity: None,
            status: weighted(rng, &[("instock", 94), ("outofstock", 6)]),
            backorders: "no",
        }
    }

    fn random_managed(rng: &mut ChaCha8Rng) -> Self {
        let backorders = weighted(rng, &[("no", 92), ("notify", 5), ("yes", 3)]);
        let quantity = if rng.random_bool(0.08) {
            0
        } else {
            rng.random_range(1..200)
        };
        let status = match (quantity, backorders) {
            (0, "no") => "outofstock",
            (0, _) => "onbackorder",
            _ => "instock",
        };
        Stock {
            managed: true,
            quantity: Some(quantity),
            status,
            backorders,
        }
    }

    fn fields(&self) -> Value {
        json!({
            "manage_stock": self.managed,
            "stock_quantity": self.quantity,
            "stock_status": self.status,
            "backorders": self.backorders,
            "backorders_allowed": self.backorders != "no",
            "backordered": self.status == "onbackorder",
            "low_stock_amount": null,
        })
    }
}

/// A price and, when on sale, the sale price and when the sale started (if it was scheduled).
#[derive(Clone, Copy)]
struct Pricing {
    regular: i64,
    sale: Option<i64>,
    sale_from: Option<i64>,
}

impl Pricing {
    fn random(rng: &mut ChaCha8Rng, regular: i64, created: i64, now: i64) -> Self {
        if !rng.random_bool(0.15) {
            return Pricing {
                regular,
                sale: None,
                sale_from: None,
            };
        }
        let discount_percent = pick(rng, &[10, 15, 20, 25, 30]);
        let sale = regular * (100 - discount_percent) / 100;
        // A scheduled sale starts at midnight; WooCommerce then shows the start date.
        let sale_from = rng
            .random_bool(0.4)
            .then(|| between(rng, created, now) / DAY * DAY)
            .filter(|from| *from >= created);
        Pricing {
            regular,
            sale: Some(sale),
            sale_from,
        }
    }

    fn active(&self) -> i64 {
        self.sale.unwrap_or(self.regular)
    }

    fn fields(&self) -> Value {
        json!({
            "price": money(self.active()),
            "regular_price": money(self.regular),
            "sale_price": self.sale.map_or_else(String::new, money),
            "date_on_sale_from": wp_date_or_null(self.sale_from),
            "date_on_sale_from_gmt": wp_date_or_null(self.sale_from),
            "date_on_sale_to": null,
            "date_on_sale_to_gmt": null,
            "on_sale": self.sale.is_some(),
        })
    }
}

/// Prices with a common shape: $4.99 to $299, often ending in .99 or .00.
fn random_price(rng: &mut ChaCha8Rng) -> i64 {
    let dollars = (4.0f64.ln() + rng.random::<f64>() * (300.0f64.ln() - 4.0f64.ln())).exp() as i64;
    match rng.random_range(0..4) {
        0 => dollars * 100 + 99,
        1 => dollars * 100,
        _ => dollars * 100 + rng.random_range(0..100),
    }
}

struct ProductAttributePlan {
    /// Index into `ATTRIBUTES` (and `Taxonomy::attributes`).
    attribute: usize,
    /// Indexes into the attribute's terms, ascending.
    terms: Vec<usize>,
    variation: bool,
}

struct VariationPlan {
    id: i64,
    /// Term index per attribute of the parent, in the parent's attribute order.
    options: Vec<usize>,
    sku: String,
    pricing: Pricing,
    stock: Stock,
    modified: i64,
    sold: i64,
}

struct ProductPlan {
    id: i64,
    created: i64,
    modified: i64,
    name: String,
    slug: String,
    sku: String,
    noun: &'static str,
    status: &'static str,
    featured: bool,
    visibility: &'static str,
    categories: Vec<usize>,
    tags: Vec<usize>,
    pricing: Pricing,
    stock: Stock,
    tax_class: &'static str,
    shipping_class: Option<usize>,
    weight: String,
    dimensions: [u32; 3],
    attributes: Vec<ProductAttributePlan>,
    variations: Vec<VariationPlan>,
    upsells: Vec<usize>,
    sold: i64,
    rating_sum: i64,
    rating_count: i64,
}

impl ProductPlan {
    fn is_variable(&self) -> bool {
        !self.variations.is_empty()
    }

    fn permalink(&self, ctx: &Ctx) -> String {
        if self.status == "publish" {
            format!("{}/product/{}/", ctx.site, self.slug)
        } else {
            format!("{}/?post_type=product&p={}", ctx.site, self.id)
        }
    }

    fn total_sales(&self) -> i64 {
        self.sold
            + self
                .variations
                .iter()
                .map(|variation| variation.sold)
                .sum::<i64>()
    }
}

fn plan_products(
    rng: &mut ChaCha8Rng,
    sizes: &Sizes,
    ctx: &Ctx,
    taxonomy: &Taxonomy,
) -> Vec<ProductPlan> {
    let variations_each = sizes.variations_per_product.min(24);
    let variable = if variations_each == 0 {
        vec![false; sizes.products]
    } else {
        chosen(rng, sizes.products, sizes.variable_share)
    };
    // Most of the catalog goes up when the store opens; the rest trickles in later.
    // The first product always goes up at launch, before the first order can be placed.
    let launch = (sizes.products * 2 / 5).max(sizes.products.min(1));
    let mut times = ascending_times(rng, launch, ctx.opened, ctx.opened + 3 * DAY, 1.0);
    times.extend(ascending_times(
        rng,
        sizes.products - launch,
        ctx.opened + 3 * DAY,
        ctx.now - 7 * DAY,
        1.0,
    ));
    let fileable = taxonomy.fileable_categories();
    let mut slugs = SlugBook::default();
    let mut products = Vec::with_capacity(sizes.products);
    for (index, created) in times.into_iter().enumerate() {
        let category = (!fileable.is_empty()).then(|| rng.random_range(fileable.clone()));
        let mut categories: Vec<usize> = category.into_iter().collect();
        let (nouns, tax_class) = category.map_or((COLLECTION_NOUNS, ""), |category| {
            let plan = &taxonomy.categories[category];
            (plan.nouns, plan.tax_class)
        });
        // Filed under the department as well as the sub-category, now and then.
        if let Some(parent) = category
            .map(|category| taxonomy.categories[category].parent_id)
            .filter(|parent| *parent != 0 && rng.random_bool(0.3))
            .and_then(|parent| taxonomy.categories.iter().position(|c| c.term.id == parent))
        {
            categories.push(parent);
        }
        let noun = pick(rng, nouns);
        let adjective = pick(rng, ADJECTIVES);
        let name = if rng.random_bool(0.4) {
            format!("{adjective} {} {noun}", pick(rng, MATERIALS))
        } else {
            format!("{adjective} {noun}")
        };
        let slug = slugs.unique(slugify(&name));
        let prefix: String = category
            .map(|category| taxonomy.categories[category].term.slug.replace('-', ""))
            .unwrap_or_else(|| "gen".to_string())
            .chars()
            .take(3)
            .collect::<String>()
            .to_uppercase();
        let sku = format!("{prefix}-{:05}", index + 1);
        let tags = random_subset(rng, taxonomy.tags.len(), 0.3, 3);
        let status = weighted(rng, &[("publish", 95), ("draft", 3), ("private", 2)]);
        let modified = if rng.random_bool(0.5) {
            created
        } else {
            between(rng, created, ctx.now - HOUR)
        };
        let weight = if rng.random_bool(0.1) {
            String::new()
        } else {
            // Kilograms with up to two decimals, as typed in the admin: "3.55", "0.9".
            let hundredths = rng.random_range(5..800);
            format!("{}", hundredths as f64 / 100.0)
        };
        let dimensions = [
            rng.random_range(5..80),
            rng.random_range(5..60),
            rng.random_range(1..40),
        ];
        let shipping_class = (!taxonomy.shipping_classes.is_empty() && rng.random_bool(0.1))
            .then(|| rng.random_range(0..taxonomy.shipping_classes.len()));
        let mut attributes = Vec::new();
        let mut variations = Vec::new();
        let regular = random_price(rng);
        if variable[index] {
            let (colors, sizes_used, combos) = variation_grid(rng, variations_each);
            attributes.push(ProductAttributePlan {
                attribute: COLOR,
                terms: colors,
                variation: true,
            });
            attributes.push(ProductAttributePlan {
                attribute: SIZE,
                terms: sizes_used,
                variation: true,
            });
            for (color, size) in combos {
                let size_markup = 100 + 8 * size as i64;
                let pricing = Pricing::random(rng, regular * size_markup / 100, created, ctx.now);
                variations.push(VariationPlan {
                    id: 0,
                    options: vec![color, size],
                    sku: format!(
                        "{sku}-{}-{}",
                        ATTRIBUTES[COLOR].terms[color].to_uppercase(),
                        ATTRIBUTES[SIZE].terms[size].to_uppercase()
                    ),
                    pricing,
                    // Variations keep count of their own stock, as on the captured store.
                    stock: Stock::random_managed(rng),
                    modified: if rng.random_bool(0.7) {
                        created
                    } else {
                        between(rng, created, modified)
                    },
                    sold: 0,
                });
            }
        } else if rng.random_bool(0.15) {
            // A simple product that shows its color in the "Additional information" tab.
            attributes.push(ProductAttributePlan {
                attribute: COLOR,
                terms: vec![rng.random_range(0..ATTRIBUTES[COLOR].terms.len())],
                variation: false,
            });
        }
        let modified = variations
            .iter()
            .map(|variation| variation.modified)
            .fold(modified, i64::max);
        products.push(ProductPlan {
            id: 0,
            created,
            modified,
            name,
            slug,
            sku,
            noun,
            status,
            featured: rng.random_bool(0.05),
            visibility: weighted(
                rng,
                &[
                    ("visible", 96),
                    ("catalog", 2),
                    ("search", 1),
                    ("hidden", 1),
                ],
            ),
            categories,
            tags,
            pricing: if variable[index] {
                Pricing {
                    regular,
                    sale: None,
                    sale_from: None,
                }
            } else {
                Pricing::random(rng, regular, created, ctx.now)
            },
            stock: if variable[index] {
                // A variable product's stock lives on its variations.
                Stock {
                    managed: false,
                    quantity: None,
                    status: "instock",
                    backorders: "no",
                }
            } else {
                Stock::random(rng)
            },
            tax_class,
            shipping_class,
            weight,
            dimensions,
            attributes,
            variations,
            upsells: Vec::new(),
            sold: 0,
            rating_sum: 0,
            rating_count: 0,
        });
    }
    // Upsells point at products that already existed.
    for (index, product) in products.iter_mut().enumerate().skip(1) {
        if rng.random_bool(0.1) {
            let count = rng.random_range(1..=2.min(index));
            let mut upsells: Vec<usize> = (0..count).map(|_| rng.random_range(0..index)).collect();
            upsells.sort_unstable();
            upsells.dedup();
            product.upsells = upsells;
        }
    }
    for product in &mut products {
        if product.is_variable() {
            product.stock.status = if product
                .variations
                .iter()
                .any(|v| v.stock.status != "outofstock")
            {
                "instock"
            } else {
                "outofstock"
            };
        }
    }
    products
}

/// Up to `max` of `count` items, each kept with `chance`, ascending.
fn random_subset(rng: &mut ChaCha8Rng, count: usize, chance: f64, max: usize) -> Vec<usize> {
    let mut subset: Vec<usize> = (0..count).filter(|_| rng.random_bool(chance)).collect();
    while subset.len() > max {
        let drop = rng.random_range(0..subset.len());
        subset.remove(drop);
    }
    subset
}

/// The colors and sizes of a variable product, and the `wanted` (color, size) pairs it sells,
/// every chosen color and size used by at least one pair.
fn variation_grid(
    rng: &mut ChaCha8Rng,
    wanted: usize,
) -> (Vec<usize>, Vec<usize>, Vec<(usize, usize)>) {
    let color_count = ATTRIBUTES[COLOR].terms.len();
    let size_count = ATTRIBUTES[SIZE].terms.len();
    let mut sizes_used = rng.random_range(1..=wanted.min(size_count));
    let mut colors_used = wanted.div_ceil(sizes_used);
    if colors_used > color_count {
        colors_used = color_count;
        sizes_used = wanted.div_ceil(color_count);
    }
    let mut colors: Vec<usize> = rand::seq::index::sample(rng, color_count, colors_used).into_vec();
    let mut sizes: Vec<usize> = rand::seq::index::sample(rng, size_count, sizes_used).into_vec();
    colors.sort_unstable();
    sizes.sort_unstable();
    let combos = colors
        .iter()
        .flat_map(|&color| sizes.iter().map(move |&size| (color, size)))
        .take(wanted)
        .collect();
    (colors, sizes, combos)
}

fn products_by_category(products: &[ProductPlan], category_count: usize) -> Vec<Vec<usize>> {
    let mut by_category = vec![Vec::new(); category_count];
    for (index, product) in products.iter().enumerate() {
        if let Some(&category) = product.categories.first() {
            by_category[category].push(index);
        }
    }
    by_category
}

fn price_amount(cents: i64, hidden: bool) -> String {
    let aria = if hidden { " aria-hidden=\"true\"" } else { "" };
    format!(
        "<span class=\"woocommerce-Price-amount amount\"{aria}><bdi><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>{}</bdi></span>",
        money(cents)
    )
}

/// The price as the shop shows it: plain, struck through when on sale, or a range.
fn price_html(product: &ProductPlan) -> String {
    if product.is_variable() {
        let prices = product
            .variations
            .iter()
            .map(|variation| variation.pricing.active());
        let low = prices.clone().min().unwrap_or_default();
        let high = prices.max().unwrap_or_default();
        if low == high {
            return price_amount(low, false);
        }
        return format!(
            "{} <span aria-hidden=\"true\">&ndash;</span> {}<span class=\"screen-reader-text\">Price range: &#36;{} through &#36;{}</span>",
            price_amount(low, true),
            price_amount(high, true),
            money(low),
            money(high)
        );
    }
    match product.pricing.sale {
        None => price_amount(product.pricing.regular, false),
        Some(sale) => format!(
            "<del aria-hidden=\"true\">{}</del> <span class=\"screen-reader-text\">Original price was: &#36;{}.</span><ins aria-hidden=\"true\">{}</ins><span class=\"screen-reader-text\">Current price is: &#36;{}.</span>",
            price_amount(product.pricing.regular, false),
            money(product.pricing.regular),
            price_amount(sale, false),
            money(sale)
        ),
    }
}

fn fill_in(template: &str, name: &str, noun: &str, category: &str) -> String {
    template
        .replace("{name}", name)
        .replace("{noun}", &noun.to_lowercase())
        .replace("{category}", &category.to_lowercase())
}

/// Product copy of a realistic length, as the block editor saves it (`wpautop` paragraphs).
fn product_copy(rng: &mut ChaCha8Rng, product: &ProductPlan, category: &str) -> (String, String) {
    let sentence = |rng: &mut ChaCha8Rng, pool: &[&str]| {
        fill_in(pick(rng, pool), &product.name, product.noun, category)
    };
    let opener = sentence(rng, OPENERS);
    // Distinct sentences: copywriters do not repeat themselves within one description.
    let details: Vec<String> = rand::seq::index::sample(rng, DETAILS.len(), 4)
        .into_iter()
        .map(|index| fill_in(DETAILS[index], &product.name, product.noun, category))
        .collect();
    let closer = sentence(rng, CLOSERS);
    let description = format!(
        "<p>{opener} {} {}</p>\n<p>{} {closer}</p>\n",
        details[0], details[1], details[2]
    );
    let short = format!("<p>{}</p>\n", details[3]);
    (description, short)
}

fn render_product(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    ids: &mut Counters,
    taxonomy: &Taxonomy,
    products: &[ProductPlan],
    by_category: &[Vec<usize>],
    index: usize,
) -> Value {
    let product = &products[index];
    let category_name = product.categories.first().map_or("shop", |&category| {
        taxonomy.categories[category].term.name.as_str()
    });
    let (description, short_description) = product_copy(rng, product, category_name);
    let related = related_ids(rng, products, by_category, index);
    let mut meta = vec![(
        "_yoast_wpseo_metadesc",
        format!(
            "Shop the {} at our store. Free returns within thirty days.",
            product.name
        ),
    )];
    if let Some(&category) = product.categories.first() {
        meta.push((
            "_yoast_wpseo_primary_product_cat",
            taxonomy.categories[category].term.id.to_string(),
        ));
    }
    if rng.random_bool(0.5) {
        meta.push(("_last_editor_used_jetpack", "block-editor".to_string()));
    }
    let meta_data = meta_entries(&mut ids.post_meta, &meta);
    let (shipping_class, shipping_class_id) =
        product.shipping_class.map_or((String::new(), 0), |class| {
            let term = &taxonomy.shipping_classes[class].term;
            (term.slug.clone(), term.id)
        });
    let variable = product.is_variable();
    let price = if variable {
        let low = product
            .variations
            .iter()
            .map(|variation| variation.pricing.active())
            .min();
        json!({
            "price": low.map_or_else(String::new, money),
            "regular_price": "",
            "sale_price": "",
            "date_on_sale_from": null,
            "date_on_sale_from_gmt": null,
            "date_on_sale_to": null,
            "date_on_sale_to_gmt": null,
            "on_sale": product.variations.iter().any(|variation| variation.pricing.sale.is_some()),
        })
    } else {
        product.pricing.fields()
    };
    let average_rating = if product.rating_count == 0 {
        "0.00".to_string()
    } else {
        money(product.rating_sum * 100 / product.rating_count)
    };
    let attributes: Vec<Value> = product
        .attributes
        .iter()
        .map(|attribute| {
            let plan = &taxonomy.attributes[attribute.attribute];
            json!({
                "id": plan.id,
                "name": plan.seed.name,
                "slug": plan.seed.slug,
                "position": 0,
                "visible": true,
                "variation": attribute.variation,
                "options": attribute.terms.iter().map(|&term| plan.terms[term].name.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let links = links(
        ctx.api(&format!("products/{}", product.id)),
        READ_WRITE,
        ctx.api("products"),
    );
    merge_objects([
        json!({
            "id": product.id,
            "name": product.name,
            "slug": product.slug,
            "permalink": product.permalink(ctx),
            "date_created": wp_date(product.created),
            "date_created_gmt": wp_date(product.created),
            "date_modified": wp_date(product.modified),
            "date_modified_gmt": wp_date(product.modified),
            "type": if variable { "variable" } else { "simple" },
            "status": product.status,
            "featured": product.featured,
            "catalog_visibility": product.visibility,
            "description": description,
            "short_description": short_description,
            "sku": product.sku,
            "purchasable": product.status == "publish" || product.status == "private",
            "total_sales": product.total_sales(),
            "virtual": false,
            "downloadable": false,
            "downloads": [],
            "download_limit": -1,
            "download_expiry": -1,
            "external_url": "",
            "button_text": "",
            "tax_status": "taxable",
            "tax_class": product.tax_class,
        }),
        price,
        product.stock.fields(),
        json!({
            "sold_individually": false,
            "weight": product.weight,
            "dimensions": dimensions(product.dimensions),
            "shipping_required": true,
            "shipping_taxable": true,
            "shipping_class": shipping_class,
            "shipping_class_id": shipping_class_id,
            "reviews_allowed": true,
            "average_rating": average_rating,
            "rating_count": product.rating_count,
            "upsell_ids": product.upsells.iter().map(|&upsell| products[upsell].id).collect::<Vec<_>>(),
            "cross_sell_ids": [],
            "parent_id": 0,
            "purchase_note": "",
            "categories": product.categories.iter().map(|&c| taxonomy.categories[c].term.reference()).collect::<Vec<_>>(),
            "brands": [],
            "tags": product.tags.iter().map(|&tag| taxonomy.tags[tag].reference()).collect::<Vec<_>>(),
            "images": [],
            "attributes": attributes,
            "default_attributes": [],
            "variations": product.variations.iter().map(|variation| variation.id).collect::<Vec<_>>(),
            "grouped_products": [],
            "menu_order": 0,
            "price_html": price_html(product),
            "related_ids": related,
            "meta_data": meta_data,
            "has_options": variable,
            "post_password": "",
            "global_unique_id": "",
            "_links": links,
        }),
    ])
}

fn dimensions([length, width, height]: [u32; 3]) -> Value {
    json!({ "length": length.to_string(), "width": width.to_string(), "height": height.to_string() })
}

/// Up to five other products from the same category, as WooCommerce picks them: at random.
fn related_ids(
    rng: &mut ChaCha8Rng,
    products: &[ProductPlan],
    by_category: &[Vec<usize>],
    index: usize,
) -> Vec<i64> {
    let Some(&category) = products[index].categories.first() else {
        return Vec::new();
    };
    let pool = &by_category[category];
    let others = pool.len().saturating_sub(1);
    rand::seq::index::sample(rng, pool.len(), pool.len().min(6))
        .into_iter()
        .map(|position| pool[position])
        .filter(|&other| other != index)
        .take(others.min(5))
        .map(|other| products[other].id)
        .collect()
}

fn render_variation(
    ctx: &Ctx,
    taxonomy: &Taxonomy,
    parent: &ProductPlan,
    variation: &VariationPlan,
) -> Value {
    let options: Vec<(&AttributePlan, &Term)> = parent
        .attributes
        .iter()
        .zip(&variation.options)
        .map(|(attribute, &term)| {
            let plan = &taxonomy.attributes[attribute.attribute];
            (plan, &plan.terms[term])
        })
        .collect();
    let query: Vec<String> = options
        .iter()
        .map(|(attribute, term)| format!("attribute_{}={}", attribute.seed.slug, term.slug))
        .collect();
    let name: Vec<&str> = options.iter().map(|(_, term)| term.name.as_str()).collect();
    let path = format!("products/{}/variations", parent.id);
    let mut links = links(
        ctx.api(&format!("{path}/{}", variation.id)),
        READ_WRITE,
        ctx.api(&path),
    );
    links.insert(
        "up".into(),
        href(ctx.api(&format!("products/{}", parent.id))),
    );
    merge_objects([
        json!({
            "id": variation.id,
            "type": "variation",
            "date_created": wp_date(parent.created),
            "date_created_gmt": wp_date(parent.created),
            "date_modified": wp_date(variation.modified),
            "date_modified_gmt": wp_date(variation.modified),
            "description": "",
            "permalink": format!("{}?{}", parent.permalink(ctx), query.join("&")),
            "sku": variation.sku,
            "global_unique_id": "",
            "status": "publish",
            "purchasable": true,
            "virtual": false,
            "downloadable": false,
            "downloads": [],
            "download_limit": -1,
            "download_expiry": -1,
            "tax_status": "taxable",
            "tax_class": parent.tax_class,
            "weight": parent.weight,
            "dimensions": dimensions(parent.dimensions),
            "shipping_class": "",
            "shipping_class_id": 0,
            "image": null,
            "menu_order": 0,
            "meta_data": [],
            "name": name.join(", "),
            "parent_id": parent.id,
            "_links": links,
        }),
        variation.pricing.fields(),
        variation.stock.fields(),
        json!({
            "attributes": options
                .iter()
                .map(|(attribute, term)| json!({
                    "id": attribute.id,
                    "name": attribute.seed.name,
                    "slug": attribute.seed.slug,
                    "option": term.name,
                }))
                .collect::<Vec<_>>(),
        }),
    ])
}

// ---------------------------------------------------------------------------------------------
// Customers.

#[derive(Clone)]
struct Address {
    first_name: String,
    last_name: String,
    company: String,
    address_1: String,
    address_2: String,
    city: String,
    state: String,
    postcode: String,
    country: String,
    phone: String,
}

impl Address {
    fn random(rng: &mut ChaCha8Rng, first_name: &str, last_name: &str) -> Self {
        let place = if rng.random_bool(0.75) {
            pick(rng, US_PLACES)
        } else {
            pick(rng, EUROPE_PLACES)
        };
        let number = rng.random_range(1..999);
        let address_1 = match place.country {
            "DE" => format!(
                "{} {number}",
                pick(rng, &["Hauptstrasse", "Bahnhofstrasse", "Gartenweg"])
            ),
            "FR" => format!(
                "{number} {}",
                pick(rng, &["rue de la Paix", "rue Victor Hugo", "avenue Foch"])
            ),
            "GB" => format!(
                "{number} {}",
                pick(rng, &["High Street", "King Street", "Station Road"])
            ),
            _ => format!(
                "{number} {}",
                pick(
                    rng,
                    &[
                        "Main St",
                        "Oak Ave",
                        "Pine St",
                        "Maple Ave",
                        "Cedar Rd",
                        "Park Ave"
                    ]
                )
            ),
        };
        let dial = match place.country {
            "DE" => "49",
            "FR" => "33",
            "GB" => "44",
            _ => "1",
        };
        Address {
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            company: if rng.random_bool(0.15) {
                pick(rng, COMPANIES).to_string()
            } else {
                String::new()
            },
            address_1,
            address_2: if rng.random_bool(0.15) {
                format!("Apt {}", rng.random_range(1..40))
            } else {
                String::new()
            },
            city: place.city.to_string(),
            state: place.state.to_string(),
            postcode: place.postcode.to_string(),
            country: place.country.to_string(),
            phone: format!("+{dial}555{:07}", rng.random_range(0..10_000_000)),
        }
    }

    /// The billing address: with an email and a phone.
    fn billing(&self, email: &str) -> Value {
        json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "address_1": self.address_1,
            "address_2": self.address_2,
            "city": self.city,
            "state": self.state,
            "postcode": self.postcode,
            "country": self.country,
            "email": email,
            "phone": self.phone,
        })
    }

    /// The shipping address: no email, and the phone the captured store leaves empty.
    fn shipping(&self) -> Value {
        json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "address_1": self.address_1,
            "address_2": self.address_2,
            "city": self.city,
            "state": self.state,
            "postcode": self.postcode,
            "country": self.country,
            "phone": "",
        })
    }
}

struct CustomerPlan {
    id: i64,
    created: i64,
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    billing: Address,
    shipping: Address,
    last_order: Option<i64>,
    paying: bool,
}

fn person(rng: &mut ChaCha8Rng) -> (&'static str, &'static str) {
    (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

fn plan_customers(
    rng: &mut ChaCha8Rng,
    sizes: &Sizes,
    ctx: &Ctx,
    ids: &mut Counters,
) -> Vec<CustomerPlan> {
    ascending_times(rng, sizes.customers, ctx.opened + DAY, ctx.now - HOUR, 1.3)
        .into_iter()
        .enumerate()
        .map(|(index, created)| {
            let (first_name, last_name) = person(rng);
            let billing = Address::random(rng, first_name, last_name);
            let shipping = if rng.random_bool(0.85) {
                billing.clone()
            } else {
                Address::random(rng, first_name, last_name)
            };
            let handle = format!("{}.{}", first_name.to_lowercase(), last_name.to_lowercase());
            CustomerPlan {
                id: take(&mut ids.user),
                created,
                email: format!("{handle}.{index}@example.test"),
                username: format!(
                    "{}{}{index}",
                    first_name.to_lowercase(),
                    last_name.to_lowercase()
                ),
                first_name: first_name.to_string(),
                last_name: last_name.to_string(),
                billing,
                shipping,
                last_order: None,
                paying: false,
            }
        })
        .collect()
}

fn render_customer(ctx: &Ctx, customer: &CustomerPlan) -> Value {
    // Checking out updates the customer's addresses, and with them the modified date.
    let modified = customer
        .last_order
        .map_or(customer.created, |last| last.max(customer.created));
    json!({
        "id": customer.id,
        "date_created": wp_date(customer.created),
        "date_created_gmt": wp_date(customer.created),
        "date_modified": wp_date(modified),
        "date_modified_gmt": wp_date(modified),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "role": "customer",
        "username": customer.username,
        "billing": customer.billing.billing(&customer.email),
        "shipping": customer.shipping.shipping(),
        "is_paying_customer": customer.paying,
        "avatar_url": gravatar(&customer.email, 96),
        "meta_data": [],
        "_links": links(ctx.api(&format!("customers/{}", customer.id)), READ_WRITE, ctx.api("customers")),
    })
}

// ---------------------------------------------------------------------------------------------
// Coupons.

struct CouponSeed {
    code: &'static str,
    discount_type: &'static str,
    amount_cents: i64,
    free_shipping: bool,
    individual_use: bool,
    minimum_cents: i64,
    expired: bool,
    description: &'static str,
}

const fn coupon(
    code: &'static str,
    discount_type: &'static str,
    amount_cents: i64,
    free_shipping: bool,
    minimum_cents: i64,
    expired: bool,
    description: &'static str,
) -> CouponSeed {
    CouponSeed {
        code,
        discount_type,
        amount_cents,
        free_shipping,
        individual_use: amount_cents >= 2_000,
        minimum_cents,
        expired,
        description,
    }
}

const COUPONS: &[CouponSeed] = &[
    coupon(
        "welcome10",
        "percent",
        1_000,
        false,
        0,
        false,
        "10% off a first order.",
    ),
    coupon("freeship", "percent", 0, true, 0, false, ""),
    coupon(
        "summer15",
        "percent",
        1_500,
        false,
        5_000,
        true,
        "Summer sale.",
    ),
    coupon(
        "save5",
        "fixed_cart",
        500,
        false,
        3_000,
        false,
        "$5 off orders over $30.",
    ),
    coupon(
        "vip20",
        "percent",
        2_000,
        false,
        0,
        false,
        "For our best customers.",
    ),
    coupon("expired20", "percent", 2_000, false, 0, true, ""),
    coupon(
        "tenoff",
        "fixed_product",
        1_000,
        false,
        0,
        false,
        "$10 off selected products.",
    ),
    coupon(
        "blackfriday25",
        "percent",
        2_500,
        false,
        0,
        true,
        "Black Friday.",
    ),
];

struct CouponPlan {
    id: i64,
    created: i64,
    modified: i64,
    code: String,
    seed: &'static CouponSeed,
    expires: Option<i64>,
    status: &'static str,
    product_ids: Vec<i64>,
}

fn plan_coupons(rng: &mut ChaCha8Rng, sizes: &Sizes, ctx: &Ctx) -> Vec<CouponPlan> {
    ascending_times(rng, sizes.coupons, ctx.opened + DAY, ctx.now - DAY, 1.0)
        .into_iter()
        .enumerate()
        .map(|(index, created)| {
            let seed = &COUPONS[index % COUPONS.len()];
            let code = if index < COUPONS.len() {
                seed.code.to_string()
            } else {
                format!("{}-{}", seed.code, index / COUPONS.len() + 1)
            };
            let modified = between(rng, created, ctx.now - HOUR);
            // Expired coupons ran out between their creation and now, at midnight.
            let expires = seed
                .expired
                .then(|| between(rng, created + DAY, ctx.now - HOUR) / DAY * DAY);
            CouponPlan {
                id: 0,
                created,
                modified,
                code,
                seed,
                expires: expires.filter(|expires| *expires <= ctx.now),
                status: if rng.random_bool(0.9) {
                    "publish"
                } else {
                    "draft"
                },
                product_ids: Vec::new(),
            }
        })
        .collect()
}

fn link_coupon_products(
    rng: &mut ChaCha8Rng,
    coupons: &mut [CouponPlan],
    products: &[ProductPlan],
) {
    for coupon in coupons {
        if coupon.seed.discount_type == "fixed_product" {
            let older = products.partition_point(|product| product.created <= coupon.created);
            coupon.product_ids = random_subset(rng, older, 0.5, 3)
                .into_iter()
                .map(|index| products[index].id)
                .collect();
        }
    }
}

fn render_coupon(ctx: &Ctx, coupon: &CouponPlan) -> Value {
    let seed = coupon.seed;
    json!({
        "id": coupon.id,
        "code": coupon.code,
        "amount": money(seed.amount_cents),
        "status": coupon.status,
        "date_created": wp_date(coupon.created),
        "date_created_gmt": wp_date(coupon.created),
        "date_modified": wp_date(coupon.modified),
        "date_modified_gmt": wp_date(coupon.modified),
        "discount_type": seed.discount_type,
        "description": seed.description,
        "date_expires": wp_date_or_null(coupon.expires),
        "date_expires_gmt": wp_date_or_null(coupon.expires),
        "usage_count": 0,
        "individual_use": seed.individual_use,
        "product_ids": coupon.product_ids,
        "excluded_product_ids": [],
        "usage_limit": null,
        "usage_limit_per_user": null,
        "limit_usage_to_x_items": null,
        "free_shipping": seed.free_shipping,
        "product_categories": [],
        "excluded_product_categories": [],
        "exclude_sale_items": seed.individual_use,
        "minimum_amount": money(seed.minimum_cents),
        "maximum_amount": money(0),
        "email_restrictions": [],
        "used_by": [],
        "meta_data": [],
        "_links": links(ctx.api(&format!("coupons/{}", coupon.id)), READ_WRITE, ctx.api("coupons")),
    })
}

// ---------------------------------------------------------------------------------------------
// Orders, refunds and notes.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Processing,
    OnHold,
    Completed,
    Cancelled,
    Failed,
    Refunded,
}

impl Status {
    fn slug(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Processing => "processing",
            Status::OnHold => "on-hold",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
            Status::Refunded => "refunded",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Status::Pending => "Pending payment",
            Status::Processing => "Processing",
            Status::OnHold => "On hold",
            Status::Completed => "Completed",
            Status::Cancelled => "Cancelled",
            Status::Failed => "Failed",
            Status::Refunded => "Refunded",
        }
    }

    fn paid(self) -> bool {
        matches!(
            self,
            Status::Processing | Status::Completed | Status::Refunded
        )
    }

    /// Whether the order took stock (and counts towards a product's sales).
    fn reduced_stock(self) -> bool {
        self.paid() || self == Status::OnHold
    }
}

struct RefundPlan {
    id: i64,
    time: i64,
    full: bool,
}

struct OrderPlan {
    id: i64,
    created: i64,
    status: Status,
    completed: Option<i64>,
    refund: Option<RefundPlan>,
}

fn plan_orders(rng: &mut ChaCha8Rng, sizes: &Sizes, ctx: &Ctx) -> Vec<OrderPlan> {
    let refunded = chosen(rng, sizes.orders, sizes.refund_share);
    ascending_times(
        rng,
        sizes.orders,
        ctx.opened + 3 * DAY,
        ctx.now - 5 * 60,
        2.0,
    )
    .into_iter()
    .zip(refunded)
    .map(|(created, refunded)| {
        let mut status = if refunded {
            weighted(rng, &[(Status::Completed, 80), (Status::Processing, 20)])
        } else {
            weighted(
                rng,
                &[
                    (Status::Completed, 60),
                    (Status::Processing, 16),
                    (Status::OnHold, 6),
                    (Status::Pending, 6),
                    (Status::Cancelled, 7),
                    (Status::Failed, 5),
                ],
            )
        };
        let mut completed = None;
        if status == Status::Completed {
            let done = created + rng.random_range(2 * HOUR..5 * DAY);
            // Too recent to have shipped yet.
            if done < ctx.now {
                completed = Some(done)
            } else {
                status = Status::Processing
            }
        }
        let refund = refunded.then(|| {
            let after = completed.unwrap_or(created) + rng.random_range(HOUR..20 * DAY);
            RefundPlan {
                id: 0,
                time: after.min(ctx.now - 60).max(created + 60),
                full: rng.random_bool(0.4),
            }
        });
        OrderPlan {
            id: 0,
            created,
            status,
            completed,
            refund,
        }
    })
    .collect()
}

/// Hands out post ids in the order the posts were created, as WordPress does: a product and
/// its variations take consecutive ids, and a refund takes the next id when it is issued.
fn allocate_post_ids(
    ids: &mut Counters,
    products: &mut [ProductPlan],
    coupons: &mut [CouponPlan],
    orders: &mut [OrderPlan],
) {
    const PRODUCT: u8 = 0;
    const COUPON: u8 = 1;
    const ORDER: u8 = 2;
    const REFUND: u8 = 3;
    let mut events: Vec<(i64, u8, usize)> =
        Vec::with_capacity(products.len() + coupons.len() + orders.len() * 2);
    events.extend(
        products
            .iter()
            .enumerate()
            .map(|(index, product)| (product.created, PRODUCT, index)),
    );
    events.extend(
        coupons
            .iter()
            .enumerate()
            .map(|(index, coupon)| (coupon.created, COUPON, index)),
    );
    for (index, order) in orders.iter().enumerate() {
        events.push((order.created, ORDER, index));
        if let Some(refund) = &order.refund {
            events.push((refund.time, REFUND, index));
        }
    }
    events.sort_unstable();
    for (_, kind, index) in events {
        match kind {
            PRODUCT => {
                products[index].id = take(&mut ids.post);
                for variation in &mut products[index].variations {
                    variation.id = take(&mut ids.post);
                }
            }
            COUPON => coupons[index].id = take(&mut ids.post),
            ORDER => orders[index].id = take(&mut ids.post),
            _ => {
                if let Some(refund) = &mut orders[index].refund {
                    refund.id = take(&mut ids.post);
                }
            }
        }
    }
}

struct NotePlan {
    id: i64,
    order_id: i64,
    time: i64,
    text: String,
    customer_note: bool,
    author: &'static str,
}

#[derive(Default)]
struct OrderOutput {
    orders: Vec<Value>,
    refunds: BTreeMap<i64, Vec<Value>>,
    notes: Vec<NotePlan>,
}

/// One line of an order, before it is turned into JSON.
struct Line {
    product: usize,
    variation: Option<usize>,
    quantity: i64,
    total_cents: i64,
    tax: Option<(i64, i64)>,
}

/// The products on sale when the order was placed, picked among the published ones.
fn pick_lines(
    rng: &mut ChaCha8Rng,
    products: &[ProductPlan],
    created: i64,
    country: &str,
    state: &str,
) -> Vec<Line> {
    let available = products.partition_point(|product| product.created < created);
    if available == 0 {
        return Vec::new();
    }
    let count = weighted(rng, &[(1usize, 55), (2, 28), (3, 12), (4, 5)]);
    let mut lines: Vec<Line> = Vec::with_capacity(count);
    for _ in 0..count {
        // A few tries to find a published product not already in the cart; carts merge repeats.
        let product = (0..4)
            .map(|_| rng.random_range(0..available))
            .find(|&index| {
                products[index].status == "publish"
                    && lines.iter().all(|line| line.product != index)
            });
        let Some(product) = product else { continue };
        let plan = &products[product];
        let variation = plan
            .is_variable()
            .then(|| rng.random_range(0..plan.variations.len()));
        let unit_cents = variation.map_or(plan.pricing.active(), |v| {
            plan.variations[v].pricing.active()
        });
        let quantity = weighted(rng, &[(1i64, 60), (2, 25), (3, 10), (4, 3), (5, 2)]);
        let total_cents = unit_cents * quantity;
        let tax = tax_rate_for(country, state, plan.tax_class)
            .map(|(rate_id, rate)| (rate_id, tax_on(total_cents, rate.rate)));
        lines.push(Line {
            product,
            variation,
            quantity,
            total_cents,
            tax,
        });
    }
    lines
}

fn order_key(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let key: String = (0..13)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("wc_order_{key}")
}

fn random_hex(rng: &mut ChaCha8Rng, length: usize) -> String {
    (0..length)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// What WooCommerce's order attribution records for a checkout in the browser.
fn attribution_meta(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    created: i64,
    entry: &str,
) -> Vec<(&'static str, String)> {
    let (agent, device) = pick(rng, USER_AGENTS);
    let source = weighted(
        rng,
        &[
            ("typein", 40),
            ("organic", 30),
            ("referral", 15),
            ("utm", 15),
        ],
    );
    let mut meta = vec![("_wc_order_attribution_source_type", source.to_string())];
    match source {
        "organic" => {
            meta.push((
                "_wc_order_attribution_referrer",
                "https://www.google.com/".to_string(),
            ));
            meta.push(("_wc_order_attribution_utm_source", "google".to_string()));
        }
        "referral" => {
            meta.push((
                "_wc_order_attribution_referrer",
                "https://www.instagram.com/".to_string(),
            ));
            meta.push((
                "_wc_order_attribution_utm_source",
                "instagram.com".to_string(),
            ));
        }
        "utm" => {
            meta.push(("_wc_order_attribution_utm_source", "newsletter".to_string()));
            meta.push(("_wc_order_attribution_utm_medium", "email".to_string()));
        }
        _ => meta.push(("_wc_order_attribution_utm_source", "(direct)".to_string())),
    }
    let session_start = created - rng.random_range(60..3 * HOUR);
    meta.extend([
        (
            "_wc_order_attribution_session_entry",
            format!("{}{entry}", ctx.site),
        ),
        (
            "_wc_order_attribution_session_start_time",
            mysql_date(session_start),
        ),
        (
            "_wc_order_attribution_session_pages",
            rng.random_range(1..15).to_string(),
        ),
        (
            "_wc_order_attribution_session_count",
            rng.random_range(1..6).to_string(),
        ),
        ("_wc_order_attribution_user_agent", agent.to_string()),
        ("_wc_order_attribution_device_type", device.to_string()),
        ("is_vat_exempt", "no".to_string()),
    ]);
    meta
}

/// Who placed an order, and where it goes.
struct Buyer {
    /// Index of a registered customer; none for a guest.
    customer: Option<usize>,
    email: String,
    billing: Address,
    shipping: Address,
}

/// How an order ships: the zone's free shipping above its minimum, its flat rate otherwise.
struct Delivery {
    method_id: &'static str,
    method_title: &'static str,
    /// The zone method instance, 0 outside every zone.
    instance: i64,
    cents: i64,
    /// The rate id and the tax, when shipping is taxed where the order goes.
    tax: Option<(i64, i64)>,
}

impl Delivery {
    fn to(address: &Address, subtotal: i64) -> Self {
        let (method_id, method_title, instance, cents) = match zone_for_country(&address.country) {
            Some((zone_id, zone)) if subtotal >= zone.free_shipping_minimum_cents => (
                "free_shipping",
                "Free shipping",
                zone_instance_ids(zone_id).1,
                0,
            ),
            Some((zone_id, zone)) => (
                "flat_rate",
                "Flat rate",
                zone_instance_ids(zone_id).0,
                zone.flat_rate_cents,
            ),
            None => ("flat_rate", "Flat rate", 0, 0),
        };
        let tax = tax_rate_for(&address.country, &address.state, "")
            .filter(|(_, rate)| rate.shipping && cents > 0)
            .map(|(rate_id, rate)| (rate_id, tax_on(cents, rate.rate)));
        Delivery {
            method_id,
            method_title,
            instance,
            cents,
            tax,
        }
    }

    fn tax_cents(&self) -> i64 {
        self.tax.map_or(0, |(_, tax)| tax)
    }
}

/// A note before it has its comment id: when, what, by whom, and whether the customer sees it.
type DraftNote = (i64, String, &'static str, bool);

const SYSTEM_AUTHOR: &str = "WooCommerce";

/// Turns order plans into orders, refunds and notes, and records on the products and
/// customers what the orders did to them (sales, last order, paying).
struct OrderWriter<'a> {
    rng: ChaCha8Rng,
    ctx: &'a Ctx,
    ids: &'a mut Counters,
    products: &'a mut [ProductPlan],
    customers: &'a mut [CustomerPlan],
    notes_per_order: usize,
    output: OrderOutput,
}

impl OrderWriter<'_> {
    fn write(&mut self, order: &OrderPlan) {
        let buyer = self.choose_buyer(order);
        let created_via = weighted(
            &mut self.rng,
            &[("checkout", 85), ("admin", 10), ("rest-api", 5)],
        );
        let checkout = created_via == "checkout";
        // Orders on hold wait for a bank transfer or a check.
        let gateway = if order.status == Status::OnHold {
            pick(&mut self.rng, &GATEWAYS[..2])
        } else {
            pick(&mut self.rng, GATEWAYS)
        };
        let lines = pick_lines(
            &mut self.rng,
            self.products,
            order.created,
            &buyer.shipping.country,
            &buyer.shipping.state,
        );
        let subtotal: i64 = lines.iter().map(|line| line.total_cents).sum();
        let delivery = Delivery::to(&buyer.shipping, subtotal);

        // Order item ids: the line items, then shipping, then one tax line per rate.
        let reduces_stock = order.status.reduced_stock();
        let mut stock_changes = Vec::new();
        let line_items: Vec<Value> = lines
            .iter()
            .map(|line| self.line_item(line, reduces_stock, &mut stock_changes))
            .collect();
        if reduces_stock {
            self.record_sales(&lines);
        }
        let shipping_line = self.shipping_line(&delivery, checkout);
        let tax_lines = self.tax_lines(&lines, &delivery);
        let cart_tax: i64 = lines
            .iter()
            .filter_map(|line| line.tax)
            .map(|(_, tax)| tax)
            .sum();
        let total_tax = cart_tax + delivery.tax_cents();
        let total = subtotal + delivery.cents + total_tax;

        // When things happened. Unpaid orders are cancelled when held stock times out, or
        // fail within minutes.
        let paid = order
            .status
            .paid()
            .then(|| order.created + self.rng.random_range(0..120));
        let settled = match order.status {
            Status::Cancelled => order.created + HOUR,
            Status::Failed => order.created + self.rng.random_range(30..600),
            _ => order.created,
        };
        let mut last_event = paid
            .unwrap_or(settled)
            .max(settled)
            .max(order.completed.unwrap_or(0));
        let mut status = order.status;
        let mut refunds = Vec::new();
        let mut refund_notes = Vec::new();
        if let Some(refund) = &order.refund {
            let amount = if refund.full {
                total
            } else {
                (total * self.rng.random_range(10..60) / 100).max(total.min(100))
            };
            let reason = pick(&mut self.rng, REFUND_REASONS);
            refunds.push(json!({ "id": refund.id, "reason": reason, "total": money(-amount) }));
            self.output.refunds.insert(
                order.id,
                vec![render_refund(self.ctx, order.id, refund, amount, reason)],
            );
            let text = if reason.is_empty() {
                format!("Refunded &#36;{}", money(amount))
            } else {
                format!("Refunded &#36;{} &ndash; {reason}", money(amount))
            };
            refund_notes.push((refund.time, text, ADMIN_NAME, false));
            if refund.full {
                let text = format!("Order status changed from {} to Refunded.", status.label());
                refund_notes.push((refund.time, text, ADMIN_NAME, false));
                status = Status::Refunded;
            }
            last_event = last_event.max(refund.time);
        }
        let modified = (last_event + self.rng.random_range(0..5))
            .min(self.ctx.now)
            .max(order.created);
        let stock_note = (!stock_changes.is_empty())
            .then(|| format!("Stock levels reduced: {}", stock_changes.join(", ")));
        self.add_notes(order, gateway, paid, modified, stock_note, refund_notes);
        self.remember_buyer(&buyer, order.created, paid.is_some());

        let entry = lines.first().map_or_else(
            || "/".to_string(),
            |line| format!("/product/{}/", self.products[line.product].slug),
        );
        let meta = if checkout {
            attribution_meta(&mut self.rng, self.ctx, order.created, &entry)
        } else {
            Vec::new()
        };
        let (agent, ip) = if checkout {
            let agent = meta
                .iter()
                .find(|(key, _)| *key == "_wc_order_attribution_user_agent")
                .map(|(_, agent)| agent.clone())
                .unwrap_or_default();
            (
                agent,
                format!("203.0.113.{}", self.rng.random_range(1..255)),
            )
        } else {
            (String::new(), String::new())
        };
        let customer_id = buyer.customer.map_or(0, |index| self.customers[index].id);
        let completed = if matches!(status, Status::Completed | Status::Refunded) {
            order.completed
        } else {
            None
        };
        let key = order_key(&mut self.rng);
        let ctx = self.ctx;
        self.output.orders.push(merge_objects([
            json!({
                "id": order.id,
                "parent_id": 0,
                "status": status.slug(),
                "currency": "USD",
                "version": WOOCOMMERCE_VERSION,
                "prices_include_tax": false,
                "date_created": wp_date(order.created),
                "date_modified": wp_date(modified),
                "discount_total": money(0),
                "discount_tax": money(0),
                "shipping_total": money(delivery.cents),
                "shipping_tax": money(delivery.tax_cents()),
                "cart_tax": money(cart_tax),
                "total": money(total),
                "total_tax": money(total_tax),
                "customer_id": customer_id,
                "order_key": key,
                "billing": buyer.billing.billing(&buyer.email),
                "shipping": buyer.shipping.shipping(),
                "payment_method": gateway.id,
                "payment_method_title": gateway.title,
                "transaction_id": "",
                "customer_ip_address": ip,
                "customer_user_agent": agent,
                "created_via": created_via,
                "customer_note": if self.rng.random_bool(0.1) { "Please leave the parcel with a neighbour." } else { "" },
            }),
            json!({
                "date_completed": wp_date_or_null(completed),
                "date_paid": wp_date_or_null(paid),
                "cart_hash": if checkout { random_hex(&mut self.rng, 32) } else { String::new() },
                "number": order.id.to_string(),
                "meta_data": meta_entries(&mut self.ids.order_meta, &meta),
                "line_items": line_items,
                "tax_lines": tax_lines,
                "shipping_lines": [shipping_line],
                "fee_lines": [],
                "coupon_lines": [],
                "refunds": refunds,
                "payment_url": format!("{}/checkout/order-pay/{}/?pay_for_order=true&key={key}", ctx.site, order.id),
                "is_editable": matches!(status, Status::Pending | Status::OnHold),
                "needs_payment": matches!(status, Status::Pending | Status::Failed),
                "needs_processing": true,
                "date_created_gmt": wp_date(order.created),
                "date_modified_gmt": wp_date(modified),
                "date_completed_gmt": wp_date_or_null(completed),
                "date_paid_gmt": wp_date_or_null(paid),
                "currency_symbol": "$",
                "_links": order_links(ctx, order.id, customer_id),
            }),
        ]));
    }

    /// A customer who had registered by the time of the order, or a guest.
    fn choose_buyer(&mut self, order: &OrderPlan) -> Buyer {
        let registered = self
            .customers
            .partition_point(|customer| customer.created < order.created);
        if registered > 0 && self.rng.random_bool(0.8) {
            let index = self.rng.random_range(0..registered);
            let customer = &self.customers[index];
            return Buyer {
                customer: Some(index),
                email: customer.email.clone(),
                billing: customer.billing.clone(),
                shipping: customer.shipping.clone(),
            };
        }
        let (first_name, last_name) = person(&mut self.rng);
        let address = Address::random(&mut self.rng, first_name, last_name);
        Buyer {
            customer: None,
            email: format!(
                "{}.{}.guest{}@example.test",
                first_name.to_lowercase(),
                last_name.to_lowercase(),
                order.id
            ),
            billing: address.clone(),
            shipping: address,
        }
    }

    fn line_item(
        &mut self,
        line: &Line,
        reduces_stock: bool,
        stock_changes: &mut Vec<String>,
    ) -> Value {
        let item_id = take(&mut self.ids.order_item);
        let product = &self.products[line.product];
        let mut meta: Vec<Value> = Vec::new();
        let (name, sku, variation_id, image_id, parent_name, stock) = match line.variation {
            Some(index) => {
                let variation = &product.variations[index];
                let mut labels = Vec::new();
                for (attribute, &term) in product.attributes.iter().zip(&variation.options) {
                    let seed = &ATTRIBUTES[attribute.attribute];
                    let term_name = seed.terms[term];
                    labels.push(term_name);
                    meta.push(json!({
                        "id": take(&mut self.ids.order_item_meta),
                        "key": seed.slug,
                        "value": slugify(term_name),
                        "display_key": seed.name,
                        "display_value": term_name,
                    }));
                }
                (
                    format!("{} - {}", product.name, labels.join(", ")),
                    variation.sku.clone(),
                    variation.id,
                    // WooCommerce sends a variation's missing image as 0 and a product's as "".
                    json!(0),
                    json!(product.name),
                    variation.stock,
                )
            }
            None => (
                product.name.clone(),
                product.sku.clone(),
                0,
                json!(""),
                Value::Null,
                product.stock,
            ),
        };
        if reduces_stock && stock.managed {
            let quantity = line.quantity.to_string();
            meta.push(json!({
                "id": take(&mut self.ids.order_item_meta),
                "key": "_reduced_stock",
                "value": quantity,
                "display_key": "_reduced_stock",
                "display_value": quantity,
            }));
            let after = stock.quantity.unwrap_or_default();
            stock_changes.push(format!(
                "{name} ({sku}) {}&rarr;{after}",
                after + line.quantity
            ));
        }
        let tax = line.tax.map_or(0, |(_, tax)| tax);
        let taxes: Vec<Value> = line
            .tax
            .iter()
            .map(|(rate_id, tax)| json!({ "id": rate_id, "total": money(*tax), "subtotal": money(*tax) }))
            .collect();
        json!({
            "id": item_id,
            "name": name,
            "product_id": product.id,
            "variation_id": variation_id,
            "quantity": line.quantity,
            "tax_class": product.tax_class,
            "subtotal": money(line.total_cents),
            "subtotal_tax": money(tax),
            "total": money(line.total_cents),
            "total_tax": money(tax),
            "taxes": taxes,
            "meta_data": meta,
            "sku": sku,
            "price": line_price(line.total_cents, line.quantity),
            "image": { "id": image_id, "src": "" },
            "parent_name": parent_name,
        })
    }

    fn record_sales(&mut self, lines: &[Line]) {
        for line in lines {
            let product = &mut self.products[line.product];
            match line.variation {
                Some(index) => product.variations[index].sold += line.quantity,
                None => product.sold += line.quantity,
            }
        }
    }

    fn shipping_line(&mut self, delivery: &Delivery, checkout: bool) -> Value {
        // Orders made in the admin or over the API carry no zone method instance.
        let instance_id = if checkout && delivery.instance != 0 {
            delivery.instance.to_string()
        } else {
            String::new()
        };
        let taxes: Vec<Value> = delivery
            .tax
            .iter()
            .map(|(rate_id, tax)| json!({ "id": rate_id, "total": money(*tax), "subtotal": "" }))
            .collect();
        json!({
            "id": take(&mut self.ids.order_item),
            "method_title": delivery.method_title,
            "method_id": delivery.method_id,
            "instance_id": instance_id,
            "total": money(delivery.cents),
            "total_tax": money(delivery.tax_cents()),
            "taxes": taxes,
            "tax_status": "taxable",
            "meta_data": [],
        })
    }

    /// One tax line per rate that applied, to the items or to shipping.
    fn tax_lines(&mut self, lines: &[Line], delivery: &Delivery) -> Vec<Value> {
        let mut per_rate: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for (rate_id, tax) in lines.iter().filter_map(|line| line.tax) {
            per_rate.entry(rate_id).or_default().0 += tax;
        }
        if let Some((rate_id, tax)) = delivery.tax {
            per_rate.entry(rate_id).or_default().1 += tax;
        }
        per_rate
            .into_iter()
            .filter_map(|(rate_id, (items, shipping))| {
                let rate = TAX_RATES.get(usize::try_from(rate_id - FIRST_TAX_RATE_ID).ok()?)?;
                // A whole percentage comes out of WooCommerce as an integer, others as a float.
                let percent = if rate.rate % 10_000 == 0 {
                    json!(rate.rate / 10_000)
                } else {
                    json!(rate.rate as f64 / 10_000.0)
                };
                Some(json!({
                    "id": take(&mut self.ids.order_item),
                    "rate_code": rate_code(rate),
                    "rate_id": rate_id,
                    "label": rate.name,
                    "compound": false,
                    "tax_total": money(items),
                    "shipping_tax_total": money(shipping),
                    "rate_percent": percent,
                    "meta_data": [],
                }))
            })
            .collect()
    }

    /// What WooCommerce writes as the order moves along, then staff notes up to the number
    /// asked for.
    fn add_notes(
        &mut self,
        order: &OrderPlan,
        gateway: Gateway,
        paid: Option<i64>,
        modified: i64,
        stock_note: Option<String>,
        refund_notes: Vec<DraftNote>,
    ) {
        let mut notes: Vec<DraftNote> = Vec::new();
        let system = |time: i64, text: String| (time, text, SYSTEM_AUTHOR, false);
        match order.status {
            Status::OnHold => {
                let awaiting = if gateway.id == "bacs" {
                    "Awaiting BACS payment"
                } else {
                    "Awaiting check payment"
                };
                notes.push(system(
                    order.created,
                    format!("{awaiting} Order status changed from Pending payment to On hold."),
                ));
                notes.extend(stock_note.map(|text| system(order.created, text)));
            }
            Status::Processing | Status::Completed | Status::Refunded => {
                let paid_at = paid.unwrap_or(order.created);
                notes.extend(stock_note.map(|text| system(paid_at, text)));
                notes.push(system(
                    paid_at,
                    "Order status changed from Pending payment to Processing.".to_string(),
                ));
                if let Some(done) = order.completed {
                    notes.push(system(done, "Order status changed from Processing to Completed.".to_string()));
                }
            }
            Status::Cancelled => notes.push(system(
                modified,
                "Unpaid order cancelled - time limit reached. Order status changed from Pending payment to Cancelled."
                    .to_string(),
            )),
            Status::Failed => notes.push(system(
                modified,
                "Order status changed from Pending payment to Failed.".to_string(),
            )),
            Status::Pending => {}
        }
        notes.extend(refund_notes);
        notes.truncate(self.notes_per_order);
        while notes.len() < self.notes_per_order {
            let (text, customer_note) = match self.rng.random_range(0..4) {
                0 => (
                    "Called the customer to confirm the delivery address.".to_string(),
                    false,
                ),
                1 => ("Gift wrapping requested by phone.".to_string(), false),
                2 => (
                    format!(
                        "Tracking number: 1Z{:010}",
                        self.rng.random_range(0..10_000_000_000i64)
                    ),
                    true,
                ),
                _ => (
                    "Thank you for your order! Let us know if you have any questions.".to_string(),
                    true,
                ),
            };
            let time = between(&mut self.rng, order.created, modified);
            notes.push((time, text, ADMIN_NAME, customer_note));
        }
        notes.sort_by_key(|note| note.0);
        self.output.notes.extend(
            notes
                .into_iter()
                .map(|(time, text, author, customer_note)| NotePlan {
                    id: 0,
                    order_id: order.id,
                    time,
                    text,
                    customer_note,
                    author,
                }),
        );
    }

    /// Checking out updates a customer's modified date, and paying makes them a paying customer.
    fn remember_buyer(&mut self, buyer: &Buyer, ordered: i64, paid: bool) {
        if let Some(index) = buyer.customer {
            let customer = &mut self.customers[index];
            customer.last_order = Some(
                customer
                    .last_order
                    .map_or(ordered, |last| last.max(ordered)),
            );
            customer.paying |= paid;
        }
    }
}

fn order_links(ctx: &Ctx, order_id: i64, customer_id: i64) -> Map<String, Value> {
    let mut order_links = links(
        ctx.api(&format!("orders/{order_id}")),
        READ_WRITE,
        ctx.api("orders"),
    );
    order_links.insert(
        "email_templates".into(),
        json!([{ "embeddable": true, "href": ctx.api(&format!("orders/{order_id}/actions/email_templates")) }]),
    );
    if customer_id != 0 {
        order_links.insert(
            "customer".into(),
            href(ctx.api(&format!("customers/{customer_id}"))),
        );
    }
    order_links
}

fn render_refund(
    ctx: &Ctx,
    order_id: i64,
    refund: &RefundPlan,
    amount: i64,
    reason: &str,
) -> Value {
    let path = format!("orders/{order_id}/refunds");
    let mut refund_links = links(
        ctx.api(&format!("{path}/{}", refund.id)),
        READ_DELETE,
        ctx.api(&path),
    );
    refund_links.insert("up".into(), href(ctx.api(&format!("orders/{order_id}"))));
    json!({
        "id": refund.id,
        "date_created": wp_date(refund.time),
        "date_created_gmt": wp_date(refund.time),
        "amount": money(amount),
        "reason": reason,
        "refunded_by": ADMIN_USER_ID,
        "refunded_payment": false,
        "meta_data": [],
        "line_items": [],
        "shipping_lines": [],
        "tax_lines": [],
        "fee_lines": [],
        "_links": refund_links,
    })
}

fn render_note(ctx: &Ctx, note: &NotePlan) -> Value {
    let path = format!("orders/{}/notes", note.order_id);
    let mut note_links = links(
        ctx.api(&format!("{path}/{}", note.id)),
        READ_DELETE,
        ctx.api(&path),
    );
    note_links.insert(
        "up".into(),
        href(ctx.api(&format!("orders/{}", note.order_id))),
    );
    json!({
        "id": note.id,
        "author": note.author,
        "date_created": wp_date(note.time),
        "date_created_gmt": wp_date(note.time),
        "note": note.text,
        "customer_note": note.customer_note,
        "_links": note_links,
    })
}

// ---------------------------------------------------------------------------------------------
// Reviews.

struct ReviewPlan {
    id: i64,
    product: usize,
    time: i64,
    /// A registered customer, or a guest's name and email.
    customer: Option<usize>,
    guest: (String, String),
    rating: i64,
    approved: bool,
    verified: bool,
    text: &'static str,
}

fn plan_reviews(
    rng: &mut ChaCha8Rng,
    sizes: &Sizes,
    ctx: &Ctx,
    products: &mut [ProductPlan],
    customers: &[CustomerPlan],
) -> Vec<ReviewPlan> {
    let published: Vec<usize> = (0..products.len())
        .filter(|&index| products[index].status == "publish")
        .collect();
    if published.is_empty() {
        return Vec::new();
    }
    let mut reviews = Vec::with_capacity(sizes.reviews);
    for index in 0..sizes.reviews {
        let product = pick(rng, &published);
        let time = between(rng, products[product].created + HOUR, ctx.now - 60);
        let registered = customers.partition_point(|customer| customer.created < time);
        let customer =
            (registered > 0 && rng.random_bool(0.7)).then(|| rng.random_range(0..registered));
        let (first_name, last_name) = person(rng);
        let guest = (
            format!("{first_name} {last_name}"),
            format!(
                "{}.{}.review{index}@example.test",
                first_name.to_lowercase(),
                last_name.to_lowercase()
            ),
        );
        let rating = weighted(rng, &[(5i64, 45), (4, 30), (3, 12), (2, 7), (1, 6)]);
        let approved = rng.random_bool(0.9);
        if approved {
            products[product].rating_sum += rating;
            products[product].rating_count += 1;
        }
        reviews.push(ReviewPlan {
            id: 0,
            product,
            time,
            customer,
            guest,
            rating,
            approved,
            verified: customer.is_some() && rng.random_bool(0.7),
            text: pick(rng, REVIEW_TEXTS),
        });
    }
    reviews.sort_by_key(|review| review.time);
    reviews
}

/// Order notes and reviews are both WordPress comments: ids in the order they were written.
fn allocate_comment_ids(ids: &mut Counters, notes: &mut [NotePlan], reviews: &mut [ReviewPlan]) {
    let mut events: Vec<(i64, u8, usize)> = Vec::with_capacity(notes.len() + reviews.len());
    events.extend(
        notes
            .iter()
            .enumerate()
            .map(|(index, note)| (note.time, 0, index)),
    );
    events.extend(
        reviews
            .iter()
            .enumerate()
            .map(|(index, review)| (review.time, 1, index)),
    );
    events.sort_unstable();
    for (_, kind, index) in events {
        if kind == 0 {
            notes[index].id = take(&mut ids.comment);
        } else {
            reviews[index].id = take(&mut ids.comment);
        }
    }
    // Notes are listed per order by id; their order within an order is already by time.
}

fn render_review(
    ctx: &Ctx,
    review: &ReviewPlan,
    products: &[ProductPlan],
    customers: &[CustomerPlan],
) -> Value {
    let product = &products[review.product];
    let (reviewer, email) = match review.customer {
        Some(index) => {
            let customer = &customers[index];
            (
                format!("{} {}", customer.first_name, customer.last_name),
                customer.email.clone(),
            )
        }
        None => review.guest.clone(),
    };
    json!({
        "id": review.id,
        "date_created": wp_date(review.time),
        "date_created_gmt": wp_date(review.time),
        "product_id": product.id,
        "product_name": product.name,
        "product_permalink": product.permalink(ctx),
        "status": if review.approved { "approved" } else { "hold" },
        "reviewer": reviewer,
        "reviewer_email": email,
        "review": format!("<p>{}</p>\n", review.text),
        "rating": review.rating,
        "verified": review.verified,
        "reviewer_avatar_urls": {
            "24": gravatar(&email, 24),
            "48": gravatar(&email, 48),
            "96": gravatar(&email, 96),
        },
        // The documented review links carry no target hints.
        "_links": {
            "self": href(ctx.api(&format!("products/reviews/{}", review.id))),
            "collection": href(ctx.api("products/reviews")),
            "up": href(ctx.api(&format!("products/{}", product.id))),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Terms as JSON.

fn render_category(ctx: &Ctx, category: &CategoryPlan) -> Value {
    let base = "products/categories";
    let mut category_links = links(
        ctx.api(&format!("{base}/{}", category.term.id)),
        READ_WRITE,
        ctx.api(base),
    );
    if category.parent_id != 0 {
        category_links.insert(
            "up".into(),
            href(ctx.api(&format!("{base}/{}", category.parent_id))),
        );
    }
    json!({
        "id": category.term.id,
        "name": category.term.name,
        "slug": category.term.slug,
        "parent": category.parent_id,
        "description": category.description,
        "display": "default",
        "image": null,
        "menu_order": 0,
        "count": category.term.count,
        "_links": category_links,
    })
}

fn render_tag(ctx: &Ctx, tag: &Term) -> Value {
    let base = "products/tags";
    json!({
        "id": tag.id,
        "name": tag.name,
        "slug": tag.slug,
        "description": "",
        "count": tag.count,
        "_links": links(ctx.api(&format!("{base}/{}", tag.id)), READ_WRITE, ctx.api(base)),
    })
}

fn render_attribute(ctx: &Ctx, attribute: &AttributePlan) -> Value {
    let base = "products/attributes";
    json!({
        "id": attribute.id,
        "name": attribute.seed.name,
        "slug": attribute.seed.slug,
        "type": "select",
        "order_by": "menu_order",
        "has_archives": attribute.seed.has_archives,
        "_links": links(ctx.api(&format!("{base}/{}", attribute.id)), READ_WRITE, ctx.api(base)),
    })
}

fn render_attribute_term(ctx: &Ctx, attribute_id: i64, term: &Term) -> Value {
    let base = format!("products/attributes/{attribute_id}/terms");
    json!({
        "id": term.id,
        "name": term.name,
        "slug": term.slug,
        "description": "",
        "menu_order": 0,
        "count": term.count,
        "_links": links(ctx.api(&format!("{base}/{}", term.id)), READ_WRITE, ctx.api(&base)),
    })
}

fn render_shipping_class(ctx: &Ctx, class: &ShippingClassPlan) -> Value {
    let base = "products/shipping_classes";
    json!({
        "id": class.term.id,
        "name": class.term.name,
        "slug": class.term.slug,
        "description": class.description,
        "count": class.term.count,
        // As documented: no target hints.
        "_links": {
            "self": href(ctx.api(&format!("{base}/{}", class.term.id))),
            "collection": href(ctx.api(base)),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Store settings: taxes, shipping, payment gateways.

fn render_tax_classes(ctx: &Ctx) -> Vec<Value> {
    [
        ("standard", "Standard rate"),
        ("reduced-rate", "Reduced rate"),
        ("zero-rate", "Zero rate"),
    ]
    .iter()
    .map(|(slug, name)| {
        json!({
            "slug": slug,
            "name": name,
            "_links": { "collection": href(ctx.api("taxes/classes")) },
        })
    })
    .collect()
}

fn render_tax_rate(ctx: &Ctx, index: usize, rate: &TaxRateSeed) -> Value {
    let id = FIRST_TAX_RATE_ID + index as i64;
    json!({
        "id": id,
        "country": rate.country,
        "state": rate.state,
        "postcode": "",
        "city": "",
        "rate": format!("{}.{:04}", rate.rate / 10_000, rate.rate % 10_000),
        "name": rate.name,
        "priority": 1,
        "compound": false,
        "shipping": rate.shipping,
        "order": index + 1,
        "class": rate.class,
        "postcodes": [],
        "cities": [],
        "_links": links(ctx.api(&format!("taxes/{id}")), READ_WRITE, ctx.api("taxes")),
    })
}

fn render_zones(ctx: &Ctx) -> Vec<Value> {
    let zone = |id: i64, name: &str, order: usize| {
        let mut zone_links = links(
            ctx.api(&format!("shipping/zones/{id}")),
            READ_WRITE,
            ctx.api("shipping/zones"),
        );
        zone_links.insert(
            "describedby".into(),
            href(ctx.api(&format!("shipping/zones/{id}/locations"))),
        );
        json!({ "id": id, "name": name, "order": order, "_links": zone_links })
    };
    let mut zones = vec![zone(0, "Locations not covered by your other zones", 0)];
    for (index, seed) in ZONES.iter().enumerate() {
        zones.push(zone(index as i64 + 1, seed.name, index + 1));
    }
    zones
}

fn render_zone_locations(ctx: &Ctx, zone_id: i64, zone: &ZoneSeed) -> Vec<Value> {
    zone.countries
        .iter()
        .map(|country| {
            json!({
                "code": country,
                "type": "country",
                "_links": {
                    "collection": href(ctx.api(&format!("shipping/zones/{zone_id}/locations"))),
                    "describes": href(ctx.api(&format!("shipping/zones/{zone_id}"))),
                },
            })
        })
        .collect()
}

fn setting(
    id: &str,
    label: &str,
    description: &str,
    kind: &str,
    value: &str,
    default: &str,
) -> Value {
    json!({
        "id": id,
        "label": label,
        "description": description,
        "type": kind,
        "value": value,
        "default": default,
        "tip": description,
        "placeholder": "",
    })
}

fn with_options(mut setting: Value, options: Value) -> Value {
    if let Value::Object(fields) = &mut setting {
        fields.insert("options".into(), options);
    }
    setting
}

fn render_zone_methods(ctx: &Ctx, zone_id: i64, zone: &ZoneSeed) -> Vec<Value> {
    let (flat_instance, free_instance) = zone_instance_ids(zone_id);
    let title_help = "This controls the title which the user sees during checkout.";
    let flat_settings = json!({
        "title": setting("title", "Method title", title_help, "text", "Flat rate", "Flat rate"),
        "tax_status": with_options(
            setting("tax_status", "Tax status", "", "select", "taxable", "taxable"),
            json!({ "taxable": "Taxable", "none": "None" }),
        ),
        "cost": setting("cost", "Cost", "", "text", &money(zone.flat_rate_cents), ""),
    });
    let free_settings = json!({
        "title": setting("title", "Title", title_help, "text", "Free shipping", "Free shipping"),
        "requires": with_options(
            setting("requires", "Free shipping requires...", "", "select", "min_amount", ""),
            json!({
                "": "N/A",
                "coupon": "A valid free shipping coupon",
                "min_amount": "A minimum order amount",
                "either": "A minimum order amount OR a coupon",
                "both": "A minimum order amount AND a coupon",
            }),
        ),
        "min_amount": setting(
            "min_amount",
            "Minimum order amount",
            "Customers will need to spend this amount to get free shipping.",
            "price",
            &money(zone.free_shipping_minimum_cents),
            "0",
        ),
        "ignore_discounts": setting(
            "ignore_discounts",
            "Coupons discounts",
            "Free shipping would be available based on pre-discount order amount.",
            "checkbox",
            "no",
            "no",
        ),
    });
    let method = |instance: i64,
                  order: i64,
                  method_id: &str,
                  title: &str,
                  description: &str,
                  settings: Value| {
        let base = format!("shipping/zones/{zone_id}/methods");
        json!({
            "id": instance,
            "instance_id": instance,
            "title": title,
            "order": order,
            "enabled": true,
            "method_id": method_id,
            "method_title": title,
            "method_description": format!("<p>{description}</p>\n"),
            "settings": settings,
            // As documented: no target hints.
            "_links": {
                "self": href(ctx.api(&format!("{base}/{instance}"))),
                "collection": href(ctx.api(&base)),
                "describes": href(ctx.api(&format!("shipping/zones/{zone_id}"))),
            },
        })
    };
    vec![
        method(
            flat_instance,
            1,
            "flat_rate",
            "Flat rate",
            "Lets you charge a fixed rate for shipping.",
            flat_settings,
        ),
        method(
            free_instance,
            2,
            "free_shipping",
            "Free shipping",
            "Free shipping is a special method which can be triggered with coupons and minimum spends.",
            free_settings,
        ),
    ]
}

fn render_shipping_methods(ctx: &Ctx) -> Vec<Value> {
    [
        ("flat_rate", "Flat rate", "Lets you charge a fixed rate for shipping."),
        (
            "free_shipping",
            "Free shipping",
            "Free shipping is a special method which can be triggered with coupons and minimum spends.",
        ),
        (
            "local_pickup",
            "Local pickup",
            "Allow customers to pick up orders themselves. By default, when using local pickup store base taxes will apply regardless of customer address.",
        ),
        ("pickup_location", "Local pickup", "Allow customers to choose a local pickup location during checkout."),
    ]
    .iter()
    .map(|(id, title, description)| {
        json!({
            "id": id,
            "title": title,
            "description": description,
            "_links": links(ctx.api(&format!("shipping_methods/{id}")), &["GET"], ctx.api("shipping_methods")),
        })
    })
    .collect()
}

fn render_payment_gateways(ctx: &Ctx) -> Vec<Value> {
    let title_help = "This controls the title which the user sees during checkout.";
    let instructions = |help: &str, value: &str| {
        setting(
            "instructions",
            "Instructions",
            help,
            "textarea",
            value,
            value,
        )
    };
    let thank_you = "Instructions that will be added to the thank you page and emails.";
    let cod_help = "Payment method description that the customer will see on your checkout.";
    let cod_methods_help = "If COD is only available for certain methods, set it up here. Leave blank to enable for all methods.";
    let gateways = [
        (
            "bacs",
            "Direct bank transfer",
            "Make your payment directly into our bank account. Please use your Order ID as the payment reference. Your order will not be shipped until the funds have cleared in our account.",
            3,
            "Take payments in person via BACS. More commonly known as direct bank/wire transfer.",
            json!({
                "title": setting("title", "Title", title_help, "safe_text", "Direct bank transfer", "Direct bank transfer"),
                "instructions": instructions(thank_you, ""),
            }),
        ),
        (
            "cheque",
            "Check payments",
            "Please send a check to Store Name, Store Street, Store Town, Store State / County, Store Postcode.",
            4,
            "Take payments in person via checks. This offline gateway can also be useful to test purchases.",
            json!({
                "title": setting("title", "Title", title_help, "safe_text", "Check payments", "Check payments"),
                "instructions": instructions(thank_you, ""),
            }),
        ),
        (
            "cod",
            "Cash on delivery",
            "Pay with cash upon delivery.",
            5,
            "Let your shoppers pay upon delivery \u{2014} by cash or other methods of payment.",
            json!({
                "title": setting("title", "Title", cod_help, "safe_text", "Cash on delivery", "Cash on delivery"),
                "instructions": instructions(
                    "Instructions that will be added to the thank you page.",
                    "Pay with cash upon delivery.",
                ),
                "enable_for_methods": with_options(
                    setting("enable_for_methods", "Enable for shipping methods", cod_methods_help, "multiselect", "", ""),
                    json!({
                        "Flat rate": { "flat_rate": "Any &quot;Flat rate&quot; method" },
                        "Free shipping": { "free_shipping": "Any &quot;Free shipping&quot; method" },
                        "Local pickup": { "pickup_location": "Any &quot;Local pickup&quot; method" },
                    }),
                ),
                "enable_for_virtual": setting(
                    "enable_for_virtual",
                    "Accept COD if the order is virtual",
                    "",
                    "checkbox",
                    "yes",
                    "yes",
                ),
            }),
        ),
    ];
    gateways
        .into_iter()
        .map(|(id, title, description, order, method_description, settings)| {
            json!({
                "id": id,
                "title": title,
                "description": description,
                "order": order,
                // Simulated checkouts pay with these, so unlike on the captured store they are on.
                "enabled": true,
                "method_title": title,
                "method_description": method_description,
                "method_supports": ["products"],
                "settings": settings,
                "needs_setup": false,
                "post_install_scripts": [],
                "settings_url": format!("{}/wp-admin/admin.php?page=wc-settings&tab=checkout&section={id}", ctx.site),
                "connection_url": null,
                "setup_help_text": null,
                "required_settings_keys": [],
                "_links": links(
                    ctx.api(&format!("payment_gateways/{id}")),
                    &["GET", "POST", "PUT", "PATCH"],
                    ctx.api("payment_gateways"),
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use super::*;

    const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/woocommerce");
    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    const SITE: &str = "https://127.0.0.1:8443";

    /// 2026-11-22T12:30:00Z, shortly after the captures were taken.
    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_350_600, 0).expect("a representable time")
    }

    fn store() -> Catalog {
        generate(7, &Sizes::default(), SITE, now())
    }

    fn read_json(path: &str) -> Value {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"))
    }

    fn records(value: Value) -> Vec<Value> {
        match value {
            Value::Array(records) => records,
            one => vec![one],
        }
    }

    /// The records in a captured response (`{request, status, headers, body}`).
    fn captured(name: &str) -> Vec<Value> {
        records(read_json(&format!("{CAPTURES}/{name}"))["body"].take())
    }

    /// The documented records standing in for a capture that came back empty.
    fn documented(name: &str) -> Vec<Value> {
        assert_eq!(
            captured(name),
            Vec::<Value>::new(),
            "{name} is no longer empty: compare with the capture instead"
        );
        records(read_json(&format!("{FIXTURES}/{name}")))
    }

    fn all<'a>(groups: impl IntoIterator<Item = &'a Vec<Value>>) -> Vec<Value> {
        groups.into_iter().flatten().cloned().collect()
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Null,
        Bool,
        Integer,
        Float,
        String,
        Array,
        Object,
    }

    fn kind(value: &Value) -> Kind {
        match value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(number) if number.is_f64() => Kind::Float,
            Value::Number(_) => Kind::Integer,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    /// Exceptions to "exactly the keys of the capture".
    #[derive(Default)]
    struct Rules {
        /// Keys (as `/a/b` paths) a record may lack though every captured one has them.
        optional: &'static [&'static str],
        /// Objects used as maps (keys are data, like a gateway's settings): each value is
        /// compared with all the captured values instead of key by key.
        maps: &'static [&'static str],
        /// Strings the captures never show null but WooCommerce sends null when unset.
        nullable: &'static [&'static str],
    }

    /// What the captures show at one place in a record: the JSON types seen there, the keys of
    /// the objects seen there (with how many of them had each key), the shape of array items.
    #[derive(Default)]
    struct Shape {
        kinds: BTreeSet<Kind>,
        objects: usize,
        fields: BTreeMap<String, (usize, Shape)>,
        items: Option<Box<Shape>>,
    }

    impl Shape {
        fn learn(&mut self, value: &Value, path: &str, rules: &Rules) {
            self.kinds.insert(kind(value));
            match value {
                Value::Object(fields) if rules.maps.contains(&path) => {
                    for item in fields.values() {
                        self.items
                            .get_or_insert_default()
                            .learn(item, &format!("{path}/*"), rules);
                    }
                }
                Value::Object(fields) => {
                    self.objects += 1;
                    for (key, field) in fields {
                        let (seen, shape) = self.fields.entry(key.clone()).or_default();
                        *seen += 1;
                        shape.learn(field, &format!("{path}/{key}"), rules);
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        self.items
                            .get_or_insert_default()
                            .learn(item, &format!("{path}[]"), rules);
                    }
                }
                _ => {}
            }
        }

        fn check(&self, value: &Value, path: &str, rules: &Rules, problems: &mut BTreeSet<String>) {
            let got = kind(value);
            // A string may stand where the capture has null (an unset date, a variation's
            // parent name): WooCommerce sends one or the other for the same field.
            let fits = self.kinds.contains(&got)
                || (got == Kind::String && self.kinds.contains(&Kind::Null))
                || (got == Kind::Null
                    && self.kinds.contains(&Kind::String)
                    && rules.nullable.contains(&path));
            if !fits {
                problems.insert(format!(
                    "{path}: {got:?}, the captures have {:?}",
                    self.kinds
                ));
                return;
            }
            match value {
                Value::Object(fields) if rules.maps.contains(&path) => {
                    if let Some(items) = &self.items {
                        for item in fields.values() {
                            items.check(item, &format!("{path}/*"), rules, problems);
                        }
                    }
                }
                Value::Object(fields) => {
                    for (key, (seen, shape)) in &self.fields {
                        let field_path = format!("{path}/{key}");
                        match fields.get(key) {
                            Some(field) => shape.check(field, &field_path, rules, problems),
                            None if *seen < self.objects
                                || rules.optional.contains(&field_path.as_str()) => {}
                            None => {
                                problems.insert(format!("{field_path}: missing"));
                            }
                        }
                    }
                    for key in fields.keys().filter(|key| !self.fields.contains_key(*key)) {
                        problems.insert(format!("{path}/{key}: not in the captures"));
                    }
                }
                // Arrays the captures only show empty (`images`, `fee_lines`) say nothing of
                // their items; this generator leaves most of them empty too.
                Value::Array(items) => {
                    if let Some(shape) = &self.items {
                        for item in items {
                            shape.check(item, &format!("{path}[]"), rules, problems);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn assert_shaped_like(what: &str, generated: &[Value], samples: &[Value], rules: Rules) {
        assert!(!generated.is_empty(), "no {what} were generated");
        assert!(!samples.is_empty(), "no captured {what} to compare with");
        let mut shape = Shape::default();
        for sample in samples {
            shape.learn(sample, "", &rules);
        }
        let mut problems = BTreeSet::new();
        for record in generated {
            shape.check(record, "", &rules, &mut problems);
        }
        assert!(
            problems.is_empty(),
            "generated {what} differ from the captures:\n{}",
            problems.into_iter().collect::<Vec<_>>().join("\n")
        );
    }

    fn strict() -> Rules {
        Rules::default()
    }

    fn id(record: &Value) -> i64 {
        record["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no integer id in {record}"))
    }

    fn text<'a>(record: &'a Value, key: &str) -> &'a str {
        record[key]
            .as_str()
            .unwrap_or_else(|| panic!("no string {key} in {record}"))
    }

    fn cents(amount: &Value) -> i64 {
        let text = amount
            .as_str()
            .unwrap_or_else(|| panic!("money is a string, got {amount}"));
        let (units, hundredths) = text
            .split_once('.')
            .unwrap_or_else(|| panic!("no decimals in {text}"));
        assert_eq!(hundredths.len(), 2, "two decimals in {text}");
        let value = units
            .trim_start_matches('-')
            .parse::<i64>()
            .expect("digits")
            * 100
            + hundredths.parse::<i64>().expect("digits");
        if text.starts_with('-') { -value } else { value }
    }

    #[test]
    fn the_same_seed_and_sizes_give_the_same_store() {
        assert_eq!(store(), store());
        assert_ne!(
            store().products,
            generate(8, &Sizes::default(), SITE, now()).products
        );
    }

    #[test]
    fn more_orders_leave_the_catalog_as_it_was() {
        let bigger = Sizes {
            orders: 120,
            ..Sizes::default()
        };
        // Post ids shift as more orders interleave, and sales figures grow, but the products
        // and the people stay the same.
        let products = |catalog: &Catalog| -> Vec<(String, String, String)> {
            catalog
                .products
                .iter()
                .map(|product| {
                    let field = |key: &str| text(product, key).to_string();
                    (field("sku"), field("name"), field("price"))
                })
                .collect()
        };
        let customers = |catalog: &Catalog| -> Vec<(i64, String)> {
            catalog
                .customers
                .iter()
                .map(|customer| (id(customer), text(customer, "email").to_string()))
                .collect()
        };
        let (small, large) = (store(), generate(7, &bigger, SITE, now()));
        assert!(products(&small) == products(&large), "the products changed");
        assert!(
            customers(&small) == customers(&large),
            "the customers changed"
        );
    }

    #[test]
    fn sizes_are_honoured() {
        let sizes = Sizes::default();
        let store = store();
        let variable: Vec<&Value> = store
            .products
            .iter()
            .filter(|product| product["type"] == "variable")
            .collect();
        assert_eq!(store.products.len(), sizes.products);
        assert_eq!(variable.len(), 15, "a quarter of 60 products are variable");
        assert_eq!(store.variations.len(), variable.len());
        assert!(
            store
                .variations
                .values()
                .all(|variations| variations.len() == sizes.variations_per_product)
        );
        assert_eq!(store.orders.len(), sizes.orders);
        assert_eq!(store.refunds.len(), 8, "a tenth of 80 orders have a refund");
        assert!(store.refunds.values().all(|refunds| refunds.len() == 1));
        assert_eq!(store.notes.len(), sizes.orders);
        assert!(
            store
                .notes
                .values()
                .all(|notes| notes.len() == sizes.notes_per_order)
        );
        assert_eq!(store.customers.len(), sizes.customers);
        assert_eq!(store.coupons.len(), sizes.coupons);
        assert_eq!(store.categories.len(), sizes.categories);
        assert_eq!(store.tags.len(), sizes.tags);
        assert_eq!(store.reviews.len(), sizes.reviews);
        assert_eq!(store.zones.len(), 3);
        assert!(store.zones.iter().any(|zone| id(zone) == 0));
        assert!(!store.zone_locations.contains_key(&0) && !store.zone_methods.contains_key(&0));
        assert_eq!(store.zone_locations.len(), 2);
        assert_eq!(store.zone_methods.len(), 2);
    }

    #[test]
    fn records_have_the_keys_and_types_of_the_captures() {
        // A few seeds, to meet sales, scheduled sales, refunds and unpaid orders more than once.
        for seed in [7, 11, 12] {
            assert_shaped_like_the_captures(&generate(seed, &Sizes::default(), SITE, now()));
        }
    }

    fn assert_shaped_like_the_captures(store: &Catalog) {
        let (variable, simple): (Vec<Value>, Vec<Value>) = store
            .products
            .iter()
            .cloned()
            .partition(|product| product["type"] == "variable");
        assert!(
            simple
                .iter()
                .any(|product| product["manage_stock"] == false
                    && product["stock_quantity"].is_null())
        );
        assert!(
            simple
                .iter()
                .any(|product| product["stock_quantity"].is_i64())
        );
        assert_shaped_like(
            "simple products",
            &simple,
            &captured("products-list.json"),
            strict(),
        );
        assert_shaped_like(
            "variable products",
            &variable,
            &captured("product-variable.json"),
            strict(),
        );
        assert_shaped_like(
            "variations",
            &all(store.variations.values()),
            &captured("product-variations-list.json"),
            strict(),
        );

        // Guest orders have no customer link: the captures show both kinds. Every captured
        // order was paid; unpaid ones (pending, on hold, failed, cancelled) have no payment date.
        let captured_orders = all([
            &captured("orders-list.json"),
            &captured("order-with-refund.json"),
        ]);
        let orders = || Rules {
            nullable: &["/date_paid", "/date_paid_gmt"],
            ..Rules::default()
        };
        assert!(
            store
                .orders
                .iter()
                .any(|order| order["date_paid"].is_null())
        );
        assert_shaped_like("orders", &store.orders, &captured_orders, orders());
        let refunded: Vec<Value> = store
            .orders
            .iter()
            .filter(|order| order["refunds"] != json!([]))
            .cloned()
            .collect();
        assert!(!refunded.is_empty());
        assert_shaped_like(
            "orders with a refund",
            &refunded,
            &captured_orders,
            orders(),
        );
        assert_shaped_like(
            "refunds",
            &all(store.refunds.values()),
            &captured("order-refunds-list.json"),
            strict(),
        );
        assert_shaped_like(
            "order notes",
            &all(store.notes.values()),
            &captured("order-notes-list.json"),
            strict(),
        );

        assert_shaped_like(
            "customers",
            &store.customers,
            &captured("customers-list.json"),
            strict(),
        );
        assert_shaped_like(
            "coupons",
            &store.coupons,
            &captured("coupons-list.json"),
            strict(),
        );
        // Top-level categories link to no parent.
        let categories = Rules {
            optional: &["/_links/up"],
            ..Rules::default()
        };
        assert_shaped_like(
            "categories",
            &store.categories,
            &captured("product-categories-list.json"),
            categories,
        );
        assert_shaped_like(
            "tags",
            &store.tags,
            &captured("product-tags-list.json"),
            strict(),
        );
        assert_shaped_like(
            "attributes",
            &store.attributes,
            &captured("product-attributes-list.json"),
            strict(),
        );
        assert_shaped_like(
            "attribute terms",
            &all(store.terms.values()),
            &captured("product-attribute-terms-list.json"),
            strict(),
        );
        assert_shaped_like(
            "tax rates",
            &store.tax_rates,
            &captured("tax-rates-list.json"),
            strict(),
        );
        assert_shaped_like(
            "tax classes",
            &store.tax_classes,
            &captured("tax-classes-list.json"),
            strict(),
        );
        assert_shaped_like(
            "shipping zones",
            &store.zones,
            &captured("shipping-zones-list.json"),
            strict(),
        );

        assert_shaped_like(
            "reviews",
            &store.reviews,
            &documented("product-reviews-list.json"),
            strict(),
        );
        assert_shaped_like(
            "shipping classes",
            &store.shipping_classes,
            &documented("product-shipping-classes-list.json"),
            strict(),
        );
        assert_shaped_like(
            "shipping zone locations",
            &all(store.zone_locations.values()),
            &documented("shipping-zone-locations-list.json"),
            strict(),
        );
        // Each shipping method has settings of its own.
        let zone_methods = Rules {
            maps: &["/settings", "/settings/*/options"],
            ..Rules::default()
        };
        assert_shaped_like(
            "shipping zone methods",
            &all(store.zone_methods.values()),
            &documented("shipping-zone-methods-list.json"),
            zone_methods,
        );
    }

    #[test]
    fn settings_resources_match_the_captures_record_by_record() {
        let store = store();
        for (what, generated, name) in [
            (
                "shipping methods",
                &store.shipping_methods,
                "shipping-methods-list.json",
            ),
            (
                "payment gateways",
                &store.payment_gateways,
                "payment-gateways-list.json",
            ),
        ] {
            let captured = captured(name);
            let ids = |records: &[Value]| {
                records
                    .iter()
                    .map(|record| record["id"].clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                ids(generated),
                ids(&captured),
                "{what}: the ids of the captures"
            );
            for (record, sample) in generated.iter().zip(&captured) {
                assert_shaped_like(
                    what,
                    std::slice::from_ref(record),
                    std::slice::from_ref(sample),
                    strict(),
                );
            }
        }
        let classes: Vec<&str> = store
            .tax_classes
            .iter()
            .map(|class| text(class, "slug"))
            .collect();
        assert_eq!(classes, ["standard", "reduced-rate", "zero-rate"]);
    }

    #[test]
    fn ids_are_unique_in_each_id_space() {
        assert_ids_unique(&store());
    }

    fn assert_ids_unique(store: &Catalog) {
        fn assert_unique<'a>(space: &str, records: impl IntoIterator<Item = &'a Value>) {
            let mut seen = HashSet::new();
            for record in records {
                assert!(
                    seen.insert(id(record)),
                    "{space}: id {} is used twice",
                    id(record)
                );
            }
        }
        let refunds = all(store.refunds.values());
        let variations = all(store.variations.values());
        assert_unique(
            "posts",
            store
                .products
                .iter()
                .chain(&variations)
                .chain(&store.orders)
                .chain(&refunds)
                .chain(&store.coupons),
        );
        let terms = all(store.terms.values());
        assert_unique(
            "terms",
            store
                .categories
                .iter()
                .chain(&store.tags)
                .chain(&terms)
                .chain(&store.shipping_classes),
        );
        assert_unique("users", &store.customers);
        let notes = all(store.notes.values());
        assert_unique("comments", notes.iter().chain(&store.reviews));
        let items: Vec<Value> = store
            .orders
            .iter()
            .flat_map(|order| {
                ["line_items", "shipping_lines", "tax_lines"]
                    .iter()
                    .flat_map(move |lines| order[*lines].as_array().cloned().unwrap_or_default())
            })
            .collect();
        assert_unique("order items", &items);
        assert_unique("tax rates", &store.tax_rates);
        assert_unique("zones", &store.zones);
        assert_unique("zone methods", &all(store.zone_methods.values()));

        let ascending =
            |records: &[Value]| records.windows(2).all(|pair| id(&pair[0]) < id(&pair[1]));
        assert!(
            ascending(&store.products) && ascending(&store.orders) && ascending(&store.customers)
        );
        assert!(store.notes.values().all(|notes| ascending(notes)));
    }

    #[test]
    fn records_refer_to_records_that_exist() {
        assert_references_hold(&store());
    }

    fn assert_references_hold(store: &Catalog) {
        let products: HashMap<i64, &Value> = store
            .products
            .iter()
            .map(|product| (id(product), product))
            .collect();
        let customers: HashSet<i64> = store.customers.iter().map(id).collect();
        for order in &store.orders {
            let customer = order["customer_id"]
                .as_i64()
                .expect("an integer customer id");
            assert!(
                customer == 0 || customers.contains(&customer),
                "order {} has customer {customer}",
                id(order)
            );
            for line in order["line_items"].as_array().expect("line items") {
                let product_id = line["product_id"].as_i64().expect("a product id");
                let product = products.get(&product_id).unwrap_or_else(|| {
                    panic!("order {} sells unknown product {product_id}", id(order))
                });
                let variation_id = line["variation_id"].as_i64().expect("a variation id");
                let sold = if variation_id == 0 {
                    assert_eq!(product["type"], "simple");
                    *product
                } else {
                    store.variations[&product_id]
                        .iter()
                        .find(|variation| id(variation) == variation_id)
                        .unwrap_or_else(|| panic!("{product_id} has no variation {variation_id}"))
                };
                assert_eq!(line["sku"], sold["sku"]);
            }
            let listed: Vec<i64> = order["refunds"]
                .as_array()
                .expect("refunds")
                .iter()
                .map(id)
                .collect();
            let refunds: Vec<i64> = store
                .refunds
                .get(&id(order))
                .map_or_else(Vec::new, |refunds| refunds.iter().map(id).collect());
            assert_eq!(listed, refunds, "order {} lists its refunds", id(order));
        }
        for product in &store.products {
            let listed: Vec<i64> = product["variations"]
                .as_array()
                .expect("variations")
                .iter()
                .map(|v| v.as_i64().expect("an id"))
                .collect();
            let variations: Vec<i64> = store
                .variations
                .get(&id(product))
                .map_or_else(Vec::new, |variations| variations.iter().map(id).collect());
            assert_eq!(listed, variations);
            for variation in store.variations.get(&id(product)).into_iter().flatten() {
                assert_eq!(variation["parent_id"], product["id"]);
            }
            for related in product["related_ids"].as_array().expect("related ids") {
                assert!(products.contains_key(&related.as_i64().expect("an id")));
            }
        }
        for review in &store.reviews {
            assert!(products.contains_key(&review["product_id"].as_i64().expect("a product id")));
        }
        let categories: HashSet<i64> = store.categories.iter().map(id).collect();
        for category in &store.categories {
            let parent = category["parent"].as_i64().expect("a parent id");
            assert!(parent == 0 || categories.contains(&parent));
        }
    }

    #[test]
    fn totals_add_up() {
        let taxed = assert_totals_add_up(&store());
        assert!(taxed > 0, "some orders are taxed");
    }

    /// Checks every order's sums; returns how many orders were taxed.
    fn assert_totals_add_up(store: &Catalog) -> usize {
        let mut taxed = 0;
        for order in &store.orders {
            let mut lines = 0;
            let mut line_taxes = 0;
            for line in order["line_items"].as_array().expect("line items") {
                let quantity = line["quantity"].as_i64().expect("a quantity");
                let price = (line["price"].as_f64().expect("a price") * 100.0).round() as i64;
                assert_eq!(
                    cents(&line["total"]),
                    quantity * price,
                    "line total in order {}",
                    id(order)
                );
                assert_eq!(line["subtotal"], line["total"]);
                lines += cents(&line["total"]);
                line_taxes += cents(&line["total_tax"]);
            }
            let shipping = cents(&order["shipping_total"]);
            let tax = cents(&order["total_tax"]);
            assert_eq!(cents(&order["cart_tax"]), line_taxes);
            assert_eq!(tax, line_taxes + cents(&order["shipping_tax"]));
            assert_eq!(
                cents(&order["total"]),
                lines + shipping + tax,
                "total of order {}",
                id(order)
            );
            taxed += usize::from(tax > 0);
            if let Some(refunds) = store.refunds.get(&id(order)) {
                let refunded: i64 = refunds.iter().map(|refund| cents(&refund["amount"])).sum();
                assert!(refunded <= cents(&order["total"]));
                let listed: i64 = order["refunds"]
                    .as_array()
                    .expect("refunds")
                    .iter()
                    .map(|r| -cents(&r["total"]))
                    .sum();
                assert_eq!(listed, refunded);
            }
        }
        taxed
    }

    #[test]
    fn dates_are_in_order_and_before_now() {
        let dated = assert_dates_in_order(&store());
        assert!(dated > 300);
    }

    /// Checks the dates of every dated record; returns how many there were.
    fn assert_dates_in_order(store: &Catalog) -> usize {
        let now = wp_date(now().timestamp());
        let mut dated = 0;
        let lists = [
            &store.products,
            &store.orders,
            &store.customers,
            &store.coupons,
            &store.reviews,
        ];
        let children = [
            all(store.variations.values()),
            all(store.refunds.values()),
            all(store.notes.values()),
        ];
        for record in lists.into_iter().chain(&children).flatten() {
            let created = text(record, "date_created_gmt");
            assert_eq!(record["date_created"], record["date_created_gmt"]);
            assert!(created < now.as_str(), "{created} is not before now");
            assert_eq!(created.len(), "2026-11-22T12:30:00".len());
            if let Some(modified) = record["date_modified_gmt"].as_str() {
                assert_eq!(record["date_modified"], record["date_modified_gmt"]);
                assert!(
                    created <= modified && modified <= now.as_str(),
                    "{created} <= {modified} <= {now}"
                );
            }
            dated += 1;
        }
        dated
    }

    #[test]
    fn unusual_sizes_still_make_a_consistent_store() {
        let empty_shop = Sizes {
            products: 0,
            customers: 0,
            coupons: 0,
            categories: 0,
            tags: 0,
            orders: 5,
            reviews: 5,
            ..Sizes::default()
        };
        let all_variable = Sizes {
            products: 30,
            variable_share: 1.0,
            variations_per_product: 30,
            orders: 40,
            refund_share: 1.0,
            notes_per_order: 7,
            categories: CATEGORIES.len() + 3,
            tags: TAGS.len() + 2,
            coupons: COUPONS.len() + 2,
            ..Sizes::default()
        };
        let nothing = Sizes {
            products: 0,
            orders: 0,
            customers: 0,
            coupons: 0,
            categories: 0,
            tags: 0,
            reviews: 0,
            ..Sizes::default()
        };
        for sizes in [empty_shop, all_variable, nothing] {
            let store = generate(3, &sizes, SITE, now());
            assert_ids_unique(&store);
            assert_references_hold(&store);
            assert_totals_add_up(&store);
            assert_dates_in_order(&store);
            assert_eq!(store.orders.len(), sizes.orders);
            assert!(
                store
                    .variations
                    .values()
                    .all(|variations| variations.len() <= 24)
            );
            assert_eq!(
                store.refunds.len(),
                (sizes.orders as f64 * sizes.refund_share).round() as usize
            );
            assert!(
                store
                    .notes
                    .values()
                    .all(|notes| notes.len() == sizes.notes_per_order)
            );
            let slugs: HashSet<&str> = store
                .products
                .iter()
                .map(|product| text(product, "slug"))
                .collect();
            assert_eq!(
                slugs.len(),
                store.products.len(),
                "product slugs are unique"
            );
        }
    }

    #[test]
    fn records_are_about_as_large_as_real_ones() {
        let store = store();
        let average = |records: &[Value]| {
            records
                .iter()
                .map(|record| record.to_string().len())
                .sum::<usize>()
                / records.len().max(1)
        };
        // The captured ones: products 2.1 to 2.7 KB, orders 2.4 to 3.7 KB.
        let (products, orders) = (average(&store.products), average(&store.orders));
        assert!(
            (1_800..=3_300).contains(&products),
            "a product averages {products} bytes"
        );
        assert!(
            (2_000..=4_200).contains(&orders),
            "an order averages {orders} bytes"
        );
    }
}
