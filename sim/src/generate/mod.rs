//! A seeded, deterministic generator of a simulated WooCommerce store.
//!
//! Every record is the JSON WooCommerce 10 sends for it, shaped after the responses captured
//! from a real store (`tests/fixtures/woocommerce`), so code that syncs a real store can be
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

mod common;
mod coupons;
mod customers;
mod orders;
mod products;
mod reviews;
mod taxes_and_shipping;
mod terms;
mod words;

#[cfg(test)]
mod tests;

use common::*;
use coupons::*;
use customers::*;
use orders::*;
use products::*;
use reviews::*;
use taxes_and_shipping::*;
use terms::*;
use words::*;

pub use orders::refund_record;

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
    render_catalogue(
        &mut catalog,
        &mut product_rng,
        &ctx,
        &mut ids,
        &taxonomy,
        &products,
    );
    catalog.customers = customers
        .iter()
        .map(|customer| render_customer(&ctx, customer))
        .collect();
    catalog.coupons = coupons
        .iter()
        .map(|coupon| render_coupon(&ctx, coupon))
        .collect();
    render_settings(&mut catalog, &ctx);
    catalog
}

/// The products and their variations, and the terms they are filed under.
fn render_catalogue(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    ids: &mut Counters,
    taxonomy: &Taxonomy,
    products: &[ProductPlan],
) {
    let by_category = products_by_category(products, taxonomy.categories.len());
    for (index, product) in products.iter().enumerate() {
        catalog.products.push(render_product(
            rng,
            ctx,
            ids,
            taxonomy,
            products,
            &by_category,
            index,
        ));
        if !product.variations.is_empty() {
            let variations = product
                .variations
                .iter()
                .map(|variation| render_variation(ctx, taxonomy, product, variation))
                .collect();
            catalog.variations.insert(product.id, variations);
        }
    }
    catalog.categories = taxonomy
        .categories
        .iter()
        .map(|category| render_category(ctx, category))
        .collect();
    catalog.tags = taxonomy
        .tags
        .iter()
        .map(|tag| render_tag(ctx, tag))
        .collect();
    for attribute in &taxonomy.attributes {
        catalog.attributes.push(render_attribute(ctx, attribute));
        let terms = attribute
            .terms
            .iter()
            .map(|term| render_attribute_term(ctx, attribute.id, term))
            .collect();
        catalog.terms.insert(attribute.id, terms);
    }
    catalog.shipping_classes = taxonomy
        .shipping_classes
        .iter()
        .map(|class| render_shipping_class(ctx, class))
        .collect();
}

/// The store's settings: taxes, shipping and payment gateways.
fn render_settings(catalog: &mut Catalog, ctx: &Ctx) {
    catalog.tax_classes = render_tax_classes(ctx);
    catalog.tax_rates = TAX_RATES
        .iter()
        .enumerate()
        .map(|(index, rate)| render_tax_rate(ctx, index, rate))
        .collect();
    catalog.zones = render_zones(ctx);
    for (index, zone) in ZONES.iter().enumerate() {
        let zone_id = index as i64 + 1;
        catalog
            .zone_locations
            .insert(zone_id, render_zone_locations(ctx, zone_id, zone));
        catalog
            .zone_methods
            .insert(zone_id, render_zone_methods(ctx, zone_id, zone));
    }
    catalog.shipping_methods = render_shipping_methods(ctx);
    catalog.payment_gateways = render_payment_gateways(ctx);
}
