//! Orders, their refunds and notes.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Processing,
    OnHold,
    Completed,
    Cancelled,
    Failed,
    Refunded,
}

impl Status {
    pub(super) fn slug(self) -> &'static str {
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

    pub(super) fn label(self) -> &'static str {
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

    pub(super) fn paid(self) -> bool {
        matches!(
            self,
            Status::Processing | Status::Completed | Status::Refunded
        )
    }

    /// Whether the order took stock (and counts towards a product's sales).
    pub(super) fn reduced_stock(self) -> bool {
        self.paid() || self == Status::OnHold
    }
}

pub(super) struct RefundPlan {
    pub(super) id: i64,
    pub(super) time: i64,
    pub(super) full: bool,
}

pub(super) struct OrderPlan {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) status: Status,
    pub(super) completed: Option<i64>,
    pub(super) refund: Option<RefundPlan>,
}

pub(super) fn plan_orders(rng: &mut ChaCha8Rng, sizes: &Sizes, ctx: &Ctx) -> Vec<OrderPlan> {
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
pub(super) fn allocate_post_ids(
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

pub(super) struct NotePlan {
    pub(super) id: i64,
    pub(super) order_id: i64,
    pub(super) time: i64,
    pub(super) text: String,
    pub(super) customer_note: bool,
    pub(super) author: &'static str,
}

/// What an order's lines, shipping and taxes come to.
pub(super) struct Contents {
    total: i64,
    line_items: Vec<Value>,
    shipping_line: Value,
    tax_lines: Vec<Value>,
    cart_tax: i64,
    total_tax: i64,
    shipping_cents: i64,
    shipping_tax: i64,
    stock_changes: Vec<String>,
}

/// What an order's refund changes of it.
pub(super) struct Refunded {
    /// The refund as the order lists it.
    summary: Value,
    notes: Vec<(i64, String, &'static str, bool)>,
    status: Status,
    at: i64,
}

/// A checkout buyer's visit: attribution meta, browser and address.
#[derive(Default)]
pub(super) struct Visit {
    meta: Vec<(&'static str, String)>,
    agent: String,
    ip: String,
}

/// An order with everything decided, to be written out.
pub(super) struct Placed<'o> {
    order: &'o OrderPlan,
    buyer: Buyer,
    created_via: &'static str,
    checkout: bool,
    gateway: Gateway,
    contents: Contents,
    paid: Option<i64>,
    modified: i64,
    status: Status,
    refunds: Vec<Value>,
    visit: Visit,
}

#[derive(Default)]
pub(super) struct OrderOutput {
    pub(super) orders: Vec<Value>,
    pub(super) refunds: BTreeMap<i64, Vec<Value>>,
    pub(super) notes: Vec<NotePlan>,
}

/// One line of an order, before it is turned into JSON.
pub(super) struct Line {
    pub(super) product: usize,
    pub(super) variation: Option<usize>,
    pub(super) quantity: i64,
    pub(super) total_cents: i64,
    pub(super) tax: Option<(i64, i64)>,
}

/// The products on sale when the order was placed, picked among the published ones.
pub(super) fn pick_lines(
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

pub(super) fn order_key(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let key: String = (0..13)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("wc_order_{key}")
}

pub(super) fn random_hex(rng: &mut ChaCha8Rng, length: usize) -> String {
    (0..length)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// What WooCommerce's order attribution records for a checkout in the browser.
pub(super) fn attribution_meta(
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
pub(super) struct Buyer {
    /// Index of a registered customer; none for a guest.
    pub(super) customer: Option<usize>,
    pub(super) email: String,
    pub(super) billing: Address,
    pub(super) shipping: Address,
}

/// How an order ships: the zone's free shipping above its minimum, its flat rate otherwise.
pub(super) struct Delivery {
    pub(super) method_id: &'static str,
    pub(super) method_title: &'static str,
    /// The zone method instance, 0 outside every zone.
    pub(super) instance: i64,
    pub(super) cents: i64,
    /// The rate id and the tax, when shipping is taxed where the order goes.
    pub(super) tax: Option<(i64, i64)>,
}

impl Delivery {
    pub(super) fn to(address: &Address, subtotal: i64) -> Self {
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

    pub(super) fn tax_cents(&self) -> i64 {
        self.tax.map_or(0, |(_, tax)| tax)
    }
}

/// A note before it has its comment id: when, what, by whom, and whether the customer sees it.
pub(super) type DraftNote = (i64, String, &'static str, bool);

pub(super) const SYSTEM_AUTHOR: &str = "WooCommerce";

/// Turns order plans into orders, refunds and notes, and records on the products and
/// customers what the orders did to them (sales, last order, paying).
pub(super) struct OrderWriter<'a> {
    pub(super) rng: ChaCha8Rng,
    pub(super) ctx: &'a Ctx,
    pub(super) ids: &'a mut Counters,
    pub(super) products: &'a mut [ProductPlan],
    pub(super) customers: &'a mut [CustomerPlan],
    pub(super) notes_per_order: usize,
    pub(super) output: OrderOutput,
}

impl OrderWriter<'_> {
    pub(super) fn write(&mut self, order: &OrderPlan) {
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
        let contents = self.contents(order, &lines, &buyer, checkout);

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
        let last_event = paid
            .unwrap_or(settled)
            .max(settled)
            .max(order.completed.unwrap_or(0));
        let refunded = self.refund(order, contents.total);
        let last_event = refunded
            .as_ref()
            .map_or(last_event, |refunded| last_event.max(refunded.at));
        let modified = (last_event + self.rng.random_range(0..5))
            .min(self.ctx.now)
            .max(order.created);
        let stock_note = (!contents.stock_changes.is_empty()).then(|| {
            format!(
                "Stock levels reduced: {}",
                contents.stock_changes.join(", ")
            )
        });
        let refund_notes = refunded
            .as_ref()
            .map(|refunded| refunded.notes.clone())
            .unwrap_or_default();
        self.add_notes(order, gateway, paid, modified, stock_note, refund_notes);
        self.remember_buyer(&buyer, order.created, paid.is_some());

        let entry = lines.first().map_or_else(
            || "/".to_string(),
            |line| format!("/product/{}/", self.products[line.product].slug),
        );
        let visit = self.visit(checkout, order.created, &entry);
        let status = refunded
            .as_ref()
            .map_or(order.status, |refunded| refunded.status);
        let placed = Placed {
            order,
            buyer,
            created_via,
            checkout,
            gateway,
            contents,
            paid,
            modified,
            status,
            refunds: refunded
                .map(|refunded| refunded.summary)
                .into_iter()
                .collect(),
            visit,
        };
        let json = self.render(placed);
        self.output.orders.push(json);
    }

    /// The order's lines, shipping and taxes, and what they total.
    fn contents(
        &mut self,
        order: &OrderPlan,
        lines: &[Line],
        buyer: &Buyer,
        checkout: bool,
    ) -> Contents {
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
            self.record_sales(lines);
        }
        let shipping_line = self.shipping_line(&delivery, checkout);
        let tax_lines = self.tax_lines(lines, &delivery);
        let cart_tax: i64 = lines
            .iter()
            .filter_map(|line| line.tax)
            .map(|(_, tax)| tax)
            .sum();
        let total_tax = cart_tax + delivery.tax_cents();
        Contents {
            total: subtotal + delivery.cents + total_tax,
            line_items,
            shipping_line,
            tax_lines,
            cart_tax,
            total_tax,
            shipping_cents: delivery.cents,
            shipping_tax: delivery.tax_cents(),
            stock_changes,
        }
    }

    /// The order's refund, if it has one: written with the order's other refunds, and
    /// what it changes of the order.
    fn refund(&mut self, order: &OrderPlan, total: i64) -> Option<Refunded> {
        let refund = order.refund.as_ref()?;
        let amount = if refund.full {
            total
        } else {
            (total * self.rng.random_range(10..60) / 100).max(total.min(100))
        };
        let reason = pick(&mut self.rng, REFUND_REASONS);
        self.output.refunds.insert(
            order.id,
            vec![render_refund(self.ctx, order.id, refund, amount, reason)],
        );
        let text = if reason.is_empty() {
            format!("Refunded &#36;{}", money(amount))
        } else {
            format!("Refunded &#36;{} &ndash; {reason}", money(amount))
        };
        let mut notes = vec![(refund.time, text, ADMIN_NAME, false)];
        let mut status = order.status;
        if refund.full {
            let text = format!("Order status changed from {} to Refunded.", status.label());
            notes.push((refund.time, text, ADMIN_NAME, false));
            status = Status::Refunded;
        }
        Some(Refunded {
            summary: json!({ "id": refund.id, "reason": reason, "total": money(-amount) }),
            notes,
            status,
            at: refund.time,
        })
    }

    /// Where a checkout's buyer came from (order attribution), with their browser and
    /// address; nothing for an order made in the admin or over the API.
    fn visit(&mut self, checkout: bool, created: i64, entry: &str) -> Visit {
        if !checkout {
            return Visit::default();
        }
        let meta = attribution_meta(&mut self.rng, self.ctx, created, entry);
        let agent = meta
            .iter()
            .find(|(key, _)| *key == "_wc_order_attribution_user_agent")
            .map(|(_, agent)| agent.clone())
            .unwrap_or_default();
        let ip = format!("203.0.113.{}", self.rng.random_range(1..255));
        Visit { meta, agent, ip }
    }

    /// The order as WooCommerce sends it.
    fn render(&mut self, placed: Placed) -> Value {
        let Placed {
            order,
            buyer,
            created_via,
            checkout,
            gateway,
            contents,
            paid,
            modified,
            status,
            refunds,
            visit,
        } = placed;
        let customer_id = buyer.customer.map_or(0, |index| self.customers[index].id);
        let completed = if matches!(status, Status::Completed | Status::Refunded) {
            order.completed
        } else {
            None
        };
        let key = order_key(&mut self.rng);
        let ctx = self.ctx;
        merge_objects([
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
                "shipping_total": money(contents.shipping_cents),
                "shipping_tax": money(contents.shipping_tax),
                "cart_tax": money(contents.cart_tax),
                "total": money(contents.total),
                "total_tax": money(contents.total_tax),
                "customer_id": customer_id,
                "order_key": key,
                "billing": buyer.billing.billing(&buyer.email),
                "shipping": buyer.shipping.shipping(),
                "payment_method": gateway.id,
                "payment_method_title": gateway.title,
                "transaction_id": "",
                "customer_ip_address": visit.ip,
                "customer_user_agent": visit.agent,
                "created_via": created_via,
                "customer_note": if self.rng.random_bool(0.1) { "Please leave the parcel with a neighbour." } else { "" },
            }),
            json!({
                "date_completed": wp_date_or_null(completed),
                "date_paid": wp_date_or_null(paid),
                "cart_hash": if checkout { random_hex(&mut self.rng, 32) } else { String::new() },
                "number": order.id.to_string(),
                "meta_data": meta_entries(&mut self.ids.order_meta, &visit.meta),
                "line_items": contents.line_items,
                "tax_lines": contents.tax_lines,
                "shipping_lines": [contents.shipping_line],
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
        ])
    }

    pub(super) fn choose_buyer(&mut self, order: &OrderPlan) -> Buyer {
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

    pub(super) fn line_item(
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

    pub(super) fn record_sales(&mut self, lines: &[Line]) {
        for line in lines {
            let product = &mut self.products[line.product];
            match line.variation {
                Some(index) => product.variations[index].sold += line.quantity,
                None => product.sold += line.quantity,
            }
        }
    }

    pub(super) fn shipping_line(&mut self, delivery: &Delivery, checkout: bool) -> Value {
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
    pub(super) fn tax_lines(&mut self, lines: &[Line], delivery: &Delivery) -> Vec<Value> {
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
    pub(super) fn add_notes(
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
    pub(super) fn remember_buyer(&mut self, buyer: &Buyer, ordered: i64, paid: bool) {
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

pub(super) fn order_links(ctx: &Ctx, order_id: i64, customer_id: i64) -> Map<String, Value> {
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

pub(super) fn render_refund(
    ctx: &Ctx,
    order_id: i64,
    refund: &RefundPlan,
    amount: i64,
    reason: &str,
) -> Value {
    refund_json(
        ctx,
        order_id,
        refund.id,
        &money(amount),
        reason,
        &wp_date(refund.time),
    )
}

/// A refund as WooCommerce lists it under its order, for a refund made after the store was
/// generated (`created` in WooCommerce's `YYYY-MM-DDTHH:MM:SS`).
pub fn refund_record(
    site_url: &str,
    order_id: i64,
    refund_id: i64,
    amount: &str,
    reason: &str,
    created: &str,
) -> Value {
    let ctx = Ctx::new(site_url, 0);
    refund_json(&ctx, order_id, refund_id, amount, reason, created)
}

fn refund_json(
    ctx: &Ctx,
    order_id: i64,
    refund_id: i64,
    amount: &str,
    reason: &str,
    created: &str,
) -> Value {
    let path = format!("orders/{order_id}/refunds");
    let mut refund_links = links(
        ctx.api(&format!("{path}/{refund_id}")),
        READ_DELETE,
        ctx.api(&path),
    );
    refund_links.insert("up".into(), href(ctx.api(&format!("orders/{order_id}"))));
    json!({
        "id": refund_id,
        "date_created": created,
        "date_created_gmt": created,
        "amount": amount,
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

pub(super) fn render_note(ctx: &Ctx, note: &NotePlan) -> Value {
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
