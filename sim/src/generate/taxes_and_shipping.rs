//! Store settings: tax classes and rates, shipping zones and methods, payment gateways.

use super::*;

pub(super) struct TaxRateSeed {
    pub(super) country: &'static str,
    pub(super) state: &'static str,
    /// Ten-thousandths of a percent.
    pub(super) rate: i64,
    pub(super) name: &'static str,
    pub(super) shipping: bool,
    pub(super) class: &'static str,
}

pub(super) const fn tax_rate(
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

pub(super) const TAX_RATES: &[TaxRateSeed] = &[
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
pub(super) const FIRST_TAX_RATE_ID: i64 = 1;

/// The rate WooCommerce applies to an item of `tax_class` shipped to `country`/`state`.
pub(super) fn tax_rate_for(
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

pub(super) fn rate_code(rate: &TaxRateSeed) -> String {
    let mut parts = vec![rate.country.to_string()];
    if !rate.state.is_empty() {
        parts.push(rate.state.to_string());
    }
    parts.push(rate.name.to_uppercase());
    parts.push("1".to_string());
    parts.join("-")
}

pub(super) struct ZoneSeed {
    pub(super) name: &'static str,
    pub(super) countries: &'static [&'static str],
    pub(super) flat_rate_cents: i64,
    pub(super) free_shipping_minimum_cents: i64,
}

/// Zones 1, 2, ... in this order; zone 0 covers the rest of the world and ships nowhere.
pub(super) const ZONES: &[ZoneSeed] = &[
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
pub(super) fn zone_instance_ids(zone_id: i64) -> (i64, i64) {
    (2 * zone_id - 1, 2 * zone_id)
}

pub(super) fn zone_for_country(country: &str) -> Option<(i64, &'static ZoneSeed)> {
    ZONES
        .iter()
        .enumerate()
        .find(|(_, zone)| zone.countries.contains(&country))
        .map(|(index, zone)| (index as i64 + 1, zone))
}
#[derive(Clone, Copy)]
pub(super) struct Gateway {
    pub(super) id: &'static str,
    pub(super) title: &'static str,
}

/// The offline gateways of the captured store; simulated checkouts pay with them.
pub(super) const GATEWAYS: &[Gateway] = &[
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

pub(super) fn render_tax_classes(ctx: &Ctx) -> Vec<Value> {
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

pub(super) fn render_tax_rate(ctx: &Ctx, index: usize, rate: &TaxRateSeed) -> Value {
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

pub(super) fn render_zones(ctx: &Ctx) -> Vec<Value> {
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

pub(super) fn render_zone_locations(ctx: &Ctx, zone_id: i64, zone: &ZoneSeed) -> Vec<Value> {
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

pub(super) fn setting(
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

pub(super) fn with_options(mut setting: Value, options: Value) -> Value {
    if let Value::Object(fields) = &mut setting {
        fields.insert("options".into(), options);
    }
    setting
}

pub(super) fn render_zone_methods(ctx: &Ctx, zone_id: i64, zone: &ZoneSeed) -> Vec<Value> {
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

pub(super) fn render_shipping_methods(ctx: &Ctx) -> Vec<Value> {
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

pub(super) fn render_payment_gateways(ctx: &Ctx) -> Vec<Value> {
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
