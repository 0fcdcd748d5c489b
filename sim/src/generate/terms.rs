//! Terms: categories, tags, attributes and their terms, shipping classes.

use super::*;

pub(super) struct CategorySeed {
    pub(super) name: &'static str,
    pub(super) parent: Option<&'static str>,
    pub(super) nouns: &'static [&'static str],
    pub(super) tax_class: &'static str,
}

pub(super) const fn category(
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
pub(super) const CATEGORIES: &[CategorySeed] = &[
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
pub(super) const COLLECTION_NOUNS: &[&str] = &["Gift Set", "Bundle", "Starter Kit"];

pub(super) const TAGS: &[&str] = &[
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

pub(super) struct AttributeSeed {
    pub(super) name: &'static str,
    pub(super) slug: &'static str,
    pub(super) has_archives: bool,
    pub(super) terms: &'static [&'static str],
}

/// Variable products vary by both: the first attribute is the color, the second the size.
pub(super) const ATTRIBUTES: &[AttributeSeed] = &[
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
pub(super) const COLOR: usize = 0;
pub(super) const SIZE: usize = 1;

pub(super) const SHIPPING_CLASSES: &[(&str, &str)] = &[
    ("Bulky items", "Large or heavy items that ship by freight."),
    ("Small parcel", "Fits through a letterbox."),
];

pub(super) struct Term {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) slug: String,
    pub(super) count: i64,
}

impl Term {
    pub(super) fn new(ids: &mut Counters, name: String) -> Self {
        Term {
            id: take(&mut ids.term),
            slug: slugify(&name),
            name,
            count: 0,
        }
    }

    pub(super) fn reference(&self) -> Value {
        json!({ "id": self.id, "name": self.name, "slug": self.slug })
    }
}

pub(super) struct CategoryPlan {
    pub(super) term: Term,
    pub(super) parent_id: i64,
    pub(super) nouns: &'static [&'static str],
    pub(super) tax_class: &'static str,
    pub(super) description: String,
}

pub(super) struct AttributePlan {
    pub(super) id: i64,
    pub(super) seed: &'static AttributeSeed,
    pub(super) terms: Vec<Term>,
}

pub(super) struct ShippingClassPlan {
    pub(super) term: Term,
    pub(super) description: &'static str,
}

pub(super) struct Taxonomy {
    pub(super) categories: Vec<CategoryPlan>,
    pub(super) tags: Vec<Term>,
    pub(super) attributes: Vec<AttributePlan>,
    pub(super) shipping_classes: Vec<ShippingClassPlan>,
}

impl Taxonomy {
    pub(super) fn plan(sizes: &Sizes, ids: &mut Counters) -> Self {
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
    pub(super) fn fileable_categories(&self) -> std::ops::Range<usize> {
        if self.categories.len() > 1 {
            1..self.categories.len()
        } else {
            0..self.categories.len()
        }
    }

    pub(super) fn count_uses(&mut self, products: &[ProductPlan]) {
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

pub(super) fn render_category(ctx: &Ctx, category: &CategoryPlan) -> Value {
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

pub(super) fn render_tag(ctx: &Ctx, tag: &Term) -> Value {
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

pub(super) fn render_attribute(ctx: &Ctx, attribute: &AttributePlan) -> Value {
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

pub(super) fn render_attribute_term(ctx: &Ctx, attribute_id: i64, term: &Term) -> Value {
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

pub(super) fn render_shipping_class(ctx: &Ctx, class: &ShippingClassPlan) -> Value {
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
