//! Coupons.

use super::*;

pub(super) struct CouponSeed {
    pub(super) code: &'static str,
    pub(super) discount_type: &'static str,
    pub(super) amount_cents: i64,
    pub(super) free_shipping: bool,
    pub(super) individual_use: bool,
    pub(super) minimum_cents: i64,
    pub(super) expired: bool,
    pub(super) description: &'static str,
}

pub(super) const fn coupon(
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

pub(super) const COUPONS: &[CouponSeed] = &[
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

pub(super) struct CouponPlan {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) modified: i64,
    pub(super) code: String,
    pub(super) seed: &'static CouponSeed,
    pub(super) expires: Option<i64>,
    pub(super) status: &'static str,
    pub(super) product_ids: Vec<i64>,
}

pub(super) fn plan_coupons(rng: &mut ChaCha8Rng, sizes: &Sizes, ctx: &Ctx) -> Vec<CouponPlan> {
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

pub(super) fn link_coupon_products(
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

pub(super) fn render_coupon(ctx: &Ctx, coupon: &CouponPlan) -> Value {
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
