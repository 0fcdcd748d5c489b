//! Products and their variations.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Stock {
    pub(super) managed: bool,
    pub(super) quantity: Option<i64>,
    pub(super) status: &'static str,
    pub(super) backorders: &'static str,
}

impl Stock {
    pub(super) fn random(rng: &mut ChaCha8Rng) -> Self {
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

    pub(super) fn random_managed(rng: &mut ChaCha8Rng) -> Self {
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

    pub(super) fn fields(&self) -> Value {
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
pub(super) struct Pricing {
    pub(super) regular: i64,
    pub(super) sale: Option<i64>,
    pub(super) sale_from: Option<i64>,
}

impl Pricing {
    pub(super) fn random(rng: &mut ChaCha8Rng, regular: i64, created: i64, now: i64) -> Self {
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

    pub(super) fn active(&self) -> i64 {
        self.sale.unwrap_or(self.regular)
    }

    pub(super) fn fields(&self) -> Value {
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
pub(super) fn random_price(rng: &mut ChaCha8Rng) -> i64 {
    let dollars = (4.0f64.ln() + rng.random::<f64>() * (300.0f64.ln() - 4.0f64.ln())).exp() as i64;
    match rng.random_range(0..4) {
        0 => dollars * 100 + 99,
        1 => dollars * 100,
        _ => dollars * 100 + rng.random_range(0..100),
    }
}

pub(super) struct ProductAttributePlan {
    /// Index into `ATTRIBUTES` (and `Taxonomy::attributes`).
    pub(super) attribute: usize,
    /// Indexes into the attribute's terms, ascending.
    pub(super) terms: Vec<usize>,
    pub(super) variation: bool,
}

pub(super) struct VariationPlan {
    pub(super) id: i64,
    /// Term index per attribute of the parent, in the parent's attribute order.
    pub(super) options: Vec<usize>,
    pub(super) sku: String,
    pub(super) pricing: Pricing,
    pub(super) stock: Stock,
    pub(super) modified: i64,
    pub(super) sold: i64,
}

pub(super) struct ProductPlan {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) modified: i64,
    pub(super) name: String,
    pub(super) slug: String,
    pub(super) sku: String,
    pub(super) noun: &'static str,
    pub(super) status: &'static str,
    pub(super) featured: bool,
    pub(super) visibility: &'static str,
    pub(super) categories: Vec<usize>,
    pub(super) tags: Vec<usize>,
    pub(super) pricing: Pricing,
    pub(super) stock: Stock,
    pub(super) tax_class: &'static str,
    pub(super) shipping_class: Option<usize>,
    pub(super) weight: String,
    pub(super) dimensions: [u32; 3],
    pub(super) attributes: Vec<ProductAttributePlan>,
    pub(super) variations: Vec<VariationPlan>,
    pub(super) upsells: Vec<usize>,
    pub(super) sold: i64,
    pub(super) rating_sum: i64,
    pub(super) rating_count: i64,
}

impl ProductPlan {
    pub(super) fn is_variable(&self) -> bool {
        !self.variations.is_empty()
    }

    pub(super) fn permalink(&self, ctx: &Ctx) -> String {
        if self.status == "publish" {
            format!("{}/product/{}/", ctx.site, self.slug)
        } else {
            format!("{}/?post_type=product&p={}", ctx.site, self.id)
        }
    }

    pub(super) fn total_sales(&self) -> i64 {
        self.sold
            + self
                .variations
                .iter()
                .map(|variation| variation.sold)
                .sum::<i64>()
    }
}

pub(super) fn plan_products(
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
    let times = product_times(rng, sizes.products, ctx);
    let mut slugs = SlugBook::default();
    let mut products = Vec::with_capacity(sizes.products);
    for (index, created) in times.into_iter().enumerate() {
        let variations = if variable[index] { variations_each } else { 0 };
        let product = plan_product(rng, ctx, taxonomy, &mut slugs, index, created, variations);
        products.push(product);
    }
    link_upsells(rng, &mut products);
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

/// When each product went up, ascending: most of the catalog when the store opens, the rest
/// trickling in later. The first product always goes up at launch, before the first order
/// can be placed.
fn product_times(rng: &mut ChaCha8Rng, count: usize, ctx: &Ctx) -> Vec<i64> {
    let launch = (count * 2 / 5).max(count.min(1));
    let mut times = ascending_times(rng, launch, ctx.opened, ctx.opened + 3 * DAY, 1.0);
    times.extend(ascending_times(
        rng,
        count - launch,
        ctx.opened + 3 * DAY,
        ctx.now - 7 * DAY,
        1.0,
    ));
    times
}

/// One product; variable, with `variations` of them, unless that is 0.
fn plan_product(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    taxonomy: &Taxonomy,
    slugs: &mut SlugBook,
    index: usize,
    created: i64,
    variations: usize,
) -> ProductPlan {
    let fileable = taxonomy.fileable_categories();
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
    let name = product_name(rng, noun);
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
    let regular = random_price(rng);
    let (attributes, variations) = if variations > 0 {
        plan_variations(rng, ctx, &sku, regular, created, modified, variations)
    } else {
        (simple_attributes(rng), Vec::new())
    };
    let modified = variations
        .iter()
        .map(|variation| variation.modified)
        .fold(modified, i64::max);
    let variable = !variations.is_empty();
    ProductPlan {
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
        pricing: if variable {
            Pricing {
                regular,
                sale: None,
                sale_from: None,
            }
        } else {
            Pricing::random(rng, regular, created, ctx.now)
        },
        stock: if variable {
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
    }
}

/// "Brushed Walnut Lamp", "Quiet Lamp".
fn product_name(rng: &mut ChaCha8Rng, noun: &str) -> String {
    let adjective = pick(rng, ADJECTIVES);
    if rng.random_bool(0.4) {
        format!("{adjective} {} {noun}", pick(rng, MATERIALS))
    } else {
        format!("{adjective} {noun}")
    }
}

/// A variable product's color and size attributes, and a variation of each combination.
fn plan_variations(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    sku: &str,
    regular: i64,
    created: i64,
    modified: i64,
    count: usize,
) -> (Vec<ProductAttributePlan>, Vec<VariationPlan>) {
    let (colors, sizes_used, combos) = variation_grid(rng, count);
    let attributes = vec![
        ProductAttributePlan {
            attribute: COLOR,
            terms: colors,
            variation: true,
        },
        ProductAttributePlan {
            attribute: SIZE,
            terms: sizes_used,
            variation: true,
        },
    ];
    let mut variations = Vec::with_capacity(combos.len());
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
    (attributes, variations)
}

/// Now and then a simple product shows its color in the "Additional information" tab.
fn simple_attributes(rng: &mut ChaCha8Rng) -> Vec<ProductAttributePlan> {
    if rng.random_bool(0.15) {
        vec![ProductAttributePlan {
            attribute: COLOR,
            terms: vec![rng.random_range(0..ATTRIBUTES[COLOR].terms.len())],
            variation: false,
        }]
    } else {
        Vec::new()
    }
}

/// Upsells point at products that already existed.
fn link_upsells(rng: &mut ChaCha8Rng, products: &mut [ProductPlan]) {
    for (index, product) in products.iter_mut().enumerate().skip(1) {
        if rng.random_bool(0.1) {
            let count = rng.random_range(1..=2.min(index));
            let mut upsells: Vec<usize> = (0..count).map(|_| rng.random_range(0..index)).collect();
            upsells.sort_unstable();
            upsells.dedup();
            product.upsells = upsells;
        }
    }
}

/// Up to `max` of `count` items, each kept with `chance`, ascending.
pub(super) fn random_subset(
    rng: &mut ChaCha8Rng,
    count: usize,
    chance: f64,
    max: usize,
) -> Vec<usize> {
    let mut subset: Vec<usize> = (0..count).filter(|_| rng.random_bool(chance)).collect();
    while subset.len() > max {
        let drop = rng.random_range(0..subset.len());
        subset.remove(drop);
    }
    subset
}

/// The colors and sizes of a variable product, and the `wanted` (color, size) pairs it sells,
/// every chosen color and size used by at least one pair.
pub(super) fn variation_grid(
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

pub(super) fn products_by_category(
    products: &[ProductPlan],
    category_count: usize,
) -> Vec<Vec<usize>> {
    let mut by_category = vec![Vec::new(); category_count];
    for (index, product) in products.iter().enumerate() {
        if let Some(&category) = product.categories.first() {
            by_category[category].push(index);
        }
    }
    by_category
}

pub(super) fn price_amount(cents: i64, hidden: bool) -> String {
    let aria = if hidden { " aria-hidden=\"true\"" } else { "" };
    format!(
        "<span class=\"woocommerce-Price-amount amount\"{aria}><bdi><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>{}</bdi></span>",
        money(cents)
    )
}

/// The price as the shop shows it: plain, struck through when on sale, or a range.
pub(super) fn price_html(product: &ProductPlan) -> String {
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

pub(super) fn fill_in(template: &str, name: &str, noun: &str, category: &str) -> String {
    template
        .replace("{name}", name)
        .replace("{noun}", &noun.to_lowercase())
        .replace("{category}", &category.to_lowercase())
}

/// Product copy of a realistic length, as the block editor saves it (`wpautop` paragraphs).
pub(super) fn product_copy(
    rng: &mut ChaCha8Rng,
    product: &ProductPlan,
    category: &str,
) -> (String, String) {
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

pub(super) fn render_product(
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
    let meta_data = product_meta(rng, ids, taxonomy, product);
    let (shipping_class, shipping_class_id) =
        product.shipping_class.map_or((String::new(), 0), |class| {
            let term = &taxonomy.shipping_classes[class].term;
            (term.slug.clone(), term.id)
        });
    let variable = product.is_variable();
    let price = price_fields(product);
    let average_rating = if product.rating_count == 0 {
        "0.00".to_string()
    } else {
        money(product.rating_sum * 100 / product.rating_count)
    };
    let attributes = attribute_fields(taxonomy, product);
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

/// A product's meta: its SEO description, primary category, and now and then its editor.
fn product_meta(
    rng: &mut ChaCha8Rng,
    ids: &mut Counters,
    taxonomy: &Taxonomy,
    product: &ProductPlan,
) -> Value {
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
    meta_entries(&mut ids.post_meta, &meta)
}

/// A product's price fields: its own, or for a variable product the lowest of its
/// variations'.
fn price_fields(product: &ProductPlan) -> Value {
    if !product.is_variable() {
        return product.pricing.fields();
    }
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
}

/// A product's attributes as it lists them.
fn attribute_fields(taxonomy: &Taxonomy, product: &ProductPlan) -> Vec<Value> {
    product
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
        .collect()
}

pub(super) fn dimensions([length, width, height]: [u32; 3]) -> Value {
    json!({ "length": length.to_string(), "width": width.to_string(), "height": height.to_string() })
}

/// Up to five other products from the same category, as WooCommerce picks them: at random.
pub(super) fn related_ids(
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

pub(super) fn render_variation(
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
