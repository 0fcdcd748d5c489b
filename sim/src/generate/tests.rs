//! The generator's own checks: sizes honoured, ids unique, references held, totals
//! adding up, dates in order, and records shaped like the captures.

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
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
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
            .any(|product| product["manage_stock"] == false && product["stock_quantity"].is_null())
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

    let ascending = |records: &[Value]| records.windows(2).all(|pair| id(&pair[0]) < id(&pair[1]));
    assert!(ascending(&store.products) && ascending(&store.orders) && ascending(&store.customers));
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
