//! Customers and their addresses.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Place {
    pub(super) city: &'static str,
    pub(super) state: &'static str,
    pub(super) postcode: &'static str,
    pub(super) country: &'static str,
}

pub(super) const fn place(
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

pub(super) const US_PLACES: &[Place] = &[
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

pub(super) const EUROPE_PLACES: &[Place] = &[
    place("Berlin", "", "10115", "DE"),
    place("Munich", "", "80331", "DE"),
    place("Hamburg", "", "20095", "DE"),
    place("Paris", "", "75001", "FR"),
    place("Lyon", "", "69001", "FR"),
    place("London", "", "SW1A 1AA", "GB"),
    place("Manchester", "", "M1 1AE", "GB"),
];

#[derive(Clone)]
pub(super) struct Address {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) company: String,
    pub(super) address_1: String,
    pub(super) address_2: String,
    pub(super) city: String,
    pub(super) state: String,
    pub(super) postcode: String,
    pub(super) country: String,
    pub(super) phone: String,
}

impl Address {
    pub(super) fn random(rng: &mut ChaCha8Rng, first_name: &str, last_name: &str) -> Self {
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
    pub(super) fn billing(&self, email: &str) -> Value {
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
    pub(super) fn shipping(&self) -> Value {
        let mut address = self.billing("");
        if let Some(fields) = address.as_object_mut() {
            fields.remove("email");
            fields.insert("phone".into(), json!(""));
        }
        address
    }
}

pub(super) struct CustomerPlan {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) username: String,
    pub(super) billing: Address,
    pub(super) shipping: Address,
    pub(super) last_order: Option<i64>,
    pub(super) paying: bool,
}

pub(super) fn person(rng: &mut ChaCha8Rng) -> (&'static str, &'static str) {
    (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

pub(super) fn plan_customers(
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

pub(super) fn render_customer(ctx: &Ctx, customer: &CustomerPlan) -> Value {
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
