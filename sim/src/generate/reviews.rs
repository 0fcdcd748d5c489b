//! Product reviews.

use super::*;

pub(super) struct ReviewPlan {
    pub(super) id: i64,
    pub(super) product: usize,
    pub(super) time: i64,
    /// A registered customer, or a guest's name and email.
    pub(super) customer: Option<usize>,
    pub(super) guest: (String, String),
    pub(super) rating: i64,
    pub(super) approved: bool,
    pub(super) verified: bool,
    pub(super) text: &'static str,
}

pub(super) fn plan_reviews(
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
pub(super) fn allocate_comment_ids(
    ids: &mut Counters,
    notes: &mut [NotePlan],
    reviews: &mut [ReviewPlan],
) {
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

pub(super) fn render_review(
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
