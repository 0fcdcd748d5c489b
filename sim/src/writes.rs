//! Writes as WooCommerce 10 answers them (`tests/fixtures/woocommerce/writes/`): a create
//! answers 201 with the whole record, an update 200; parameters are checked for type before
//! anything is saved; duplicate SKUs and emails, unknown ids and bad statuses are refused as
//! the store refuses them; an order paid takes its stock, a cancelled one gives it back; and
//! each change fires the store's webhooks. An order may name a product the store does not
//! have: it is created anyway, with an empty line item at 0.00, as WooCommerce does.

use std::sync::OnceLock;
use std::sync::atomic::Ordering;

use chrono::Utc;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Map, Value, json};
use woocommerce::Resource;
use woocommerce::params::{
    CUSTOMER_PARAMS, NOTE_PARAMS, NULLABLE, ORDER_PARAMS, PRODUCT_PARAMS, ParamType,
    VARIATION_PARAMS,
};

use super::data::StoreData;
use super::error::SimError;
use super::routes::invalid_id_kind;
use super::store::{PAID, SimStore, count_sales, write};

const PRODUCT_CREATED: &str =
    include_str!("../../tests/fixtures/woocommerce/writes/product-create.json");
const ORDER_CREATED: &str =
    include_str!("../../tests/fixtures/woocommerce/writes/order-create.json");
const CUSTOMER_CREATED: &str =
    include_str!("../../tests/fixtures/woocommerce/writes/customer-create.json");
static PRODUCT_CAPTURE: OnceLock<Value> = OnceLock::new();
static ORDER_CAPTURE: OnceLock<Value> = OnceLock::new();
static CUSTOMER_CAPTURE: OnceLock<Value> = OnceLock::new();

/// A captured answer to a create, read once.
fn captured(which: &'static OnceLock<Value>, text: &str) -> &'static Value {
    which.get_or_init(|| serde_json::from_str(text).expect("the captures are JSON"))
}

/// The site the captures were taken from, replaced by the store's own in new records.
const CAPTURED_SITE: &str = "https://127.0.0.1:8443";
const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// What a write answers: its status and the record.
pub type WriteAnswer = Result<(u16, Value), SimError>;

impl SimStore {
    /// `POST` to a collection.
    pub fn create_from_request(&self, resource: Resource, parent: i64, body: &[u8]) -> WriteAnswer {
        let fields = request_fields(body)?;
        match (resource, parent) {
            (Resource::Products, 0) => {
                check_params(&fields, PRODUCT_PARAMS)?;
                self.create_product(fields)
            }
            (Resource::Orders, 0) => {
                check_params(&fields, ORDER_PARAMS)?;
                self.create_order(fields)
            }
            (Resource::Customers, 0) => {
                check_params(&fields, CUSTOMER_PARAMS)?;
                self.create_customer(fields)
            }
            (Resource::OrderNotes, order) => {
                check_params(&fields, NOTE_PARAMS)?;
                self.create_note(order, fields)
            }
            _ => Err(SimError::no_route()),
        }
    }

    /// `PUT` (or `PATCH`, or `POST`) to a record.
    pub fn update_from_request(
        &self,
        resource: Resource,
        parent: i64,
        id: i64,
        body: &[u8],
    ) -> WriteAnswer {
        let fields = request_fields(body)?;
        let params = match resource {
            Resource::Products => PRODUCT_PARAMS,
            Resource::ProductVariations => VARIATION_PARAMS,
            Resource::Orders => ORDER_PARAMS,
            Resource::Customers => CUSTOMER_PARAMS,
            _ => return Err(SimError::no_route()),
        };
        check_params(&fields, params)?;
        let missing = || match resource {
            Resource::Customers => {
                SimError::new(400, "woocommerce_rest_invalid_id", "Invalid resource ID.")
            }
            _ => SimError::new(
                400,
                &format!("woocommerce_rest_{}_invalid_id", invalid_id_kind(resource)),
                "Invalid ID.",
            ),
        };
        match resource {
            Resource::Products | Resource::ProductVariations => {
                self.update_product(resource, parent, id, fields, missing)
            }
            Resource::Orders => self.update_order(id, fields, missing),
            _ => self.update_customer(id, fields, missing),
        }
    }

    /// Takes `quantity` of a product's (or variation's) stock as a sale at the store would.
    pub fn sell(&self, resource: Resource, parent: i64, id: i64, quantity: i64) {
        let mut data = write(&self.data);
        let Some(record) = data.find_mut((resource, parent), id) else {
            return;
        };
        let stock = record["stock_quantity"].as_i64().unwrap_or(0) - quantity;
        set_stock(record, stock);
        SimStore::touch(record);
        let record = record.clone();
        drop(data);
        self.fire(resource, "updated", &record);
    }

    fn create_product(&self, fields: Map<String, Value>) -> WriteAnswer {
        let mut data = write(&self.data);
        if let Some(sku) = fields.get("sku").and_then(Value::as_str) {
            check_unique_sku(&data, sku, None)?;
        }
        let id = data.next_id(Resource::Products);
        let mut record = self.template(captured(&PRODUCT_CAPTURE, PRODUCT_CREATED), "products", id);
        for (field, value) in [
            ("name", json!("")),
            ("sku", json!("")),
            ("regular_price", json!("")),
            ("sale_price", json!("")),
            ("price", json!("")),
            ("manage_stock", json!(false)),
            ("stock_quantity", Value::Null),
            ("meta_data", json!([])),
            ("total_sales", json!(0)),
        ] {
            record[field] = value;
        }
        for field in ["permalink_template", "generated_slug"] {
            if let Some(object) = record.as_object_mut() {
                object.remove(field);
            }
        }
        self.apply_product_fields(&mut record, &fields);
        let name = record["name"].as_str().unwrap_or_default().to_string();
        record["slug"] = json!(slug(&name));
        record["permalink"] = json!(format!("{}/product/{}/", self.site_url, slug(&name)));
        data.upsert((Resource::Products, 0), record.clone());
        drop(data);
        self.fire(Resource::Products, "created", &record);
        Ok((201, self.edit_context(record)))
    }

    fn update_product(
        &self,
        resource: Resource,
        parent: i64,
        id: i64,
        fields: Map<String, Value>,
        missing: impl Fn() -> SimError,
    ) -> WriteAnswer {
        let mut data = write(&self.data);
        if data.find((resource, parent), id).is_none() {
            return Err(missing());
        }
        if let Some(sku) = fields.get("sku").and_then(Value::as_str) {
            check_unique_sku(&data, sku, Some(id))?;
        }
        let Some(record) = data.find_mut((resource, parent), id) else {
            return Err(missing());
        };
        self.apply_product_fields(record, &fields);
        SimStore::touch(record);
        let record = record.clone();
        drop(data);
        self.fire(resource, "updated", &record);
        Ok(match resource {
            Resource::Products => (200, self.edit_context(record)),
            _ => (200, record),
        })
    }

    /// A product's answer to a write: the edit context adds two fields to what is listed.
    fn edit_context(&self, mut record: Value) -> Value {
        let slug = record["slug"].clone();
        record["permalink_template"] = json!(format!("{}/product/%pagename%/", self.site_url));
        record["generated_slug"] = slug;
        record
    }

    fn apply_product_fields(&self, record: &mut Value, fields: &Map<String, Value>) {
        for (field, value) in fields {
            match field.as_str() {
                "meta_data" => self.merge_meta(record, value),
                "stock_quantity" | "inventory_delta" => {}
                "low_stock_amount" => {
                    record[field] = value.as_i64().map_or(Value::Null, Value::from)
                }
                "manage_stock" => record[field] = json!(boolean(value)),
                "categories" | "tags" | "images" => record[field] = value.clone(),
                "type" | "status" | "name" | "sku" | "regular_price" | "sale_price"
                | "description" | "short_description" | "weight" | "backorders"
                | "stock_status" => record[field] = value.clone(),
                _ => {}
            }
        }
        let regular = record["regular_price"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let sale = record["sale_price"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let price = if sale.is_empty() {
            regular
        } else {
            sale.clone()
        };
        record["on_sale"] = json!(!sale.is_empty());
        if record.get("price_html").is_some() {
            record["price_html"] = json!(price_html(&price));
        }
        record["price"] = json!(price);
        if record["manage_stock"].as_bool() == Some(true) {
            let current = record["stock_quantity"].as_i64().unwrap_or(0);
            if let Some(quantity) = fields.get("stock_quantity").and_then(integer) {
                set_stock(record, quantity);
            } else if let Some(delta) = fields.get("inventory_delta").and_then(integer) {
                set_stock(record, current + delta);
            } else if record["stock_quantity"].is_null() {
                set_stock(record, 0);
            }
        }
        if record.get("backorders_allowed").is_some() {
            record["backorders_allowed"] = json!(record["backorders"] != "no");
        }
    }

    fn create_order(&self, fields: Map<String, Value>) -> WriteAnswer {
        let mut data = write(&self.data);
        let id = data.next_id(Resource::Orders);
        let mut order = self.template(captured(&ORDER_CAPTURE, ORDER_CREATED), "orders", id);
        let key: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(13)
            .map(char::from)
            .collect();
        let key = format!("wc_order_{key}");
        for (field, value) in [
            ("number", json!(id.to_string())),
            ("order_key", json!(key.clone())),
            ("status", json!("pending")),
            ("customer_id", json!(0)),
            ("meta_data", json!([])),
            ("line_items", json!([])),
            ("tax_lines", json!([])),
            ("refunds", json!([])),
            ("date_paid", Value::Null),
            ("date_paid_gmt", Value::Null),
            ("date_completed", Value::Null),
            ("date_completed_gmt", Value::Null),
            (
                "payment_url",
                json!(format!(
                    "{}/checkout/order-pay/{id}/?pay_for_order=true&key={key}",
                    self.site_url
                )),
            ),
        ] {
            order[field] = value;
        }
        for address in ["billing", "shipping"] {
            if let Some(fields) = order[address].as_object_mut() {
                fields.values_mut().for_each(|value| *value = json!(""));
            }
        }
        let target = fields
            .get("status")
            .and_then(Value::as_str)
            .map(str::to_string);
        let paid = fields.get("set_paid").is_some_and(boolean);
        let mut changed_stock = Vec::new();
        self.apply_order_fields(&mut data, &mut order, &fields);
        let status = match (paid, target) {
            (true, Some(status)) if status == "pending" => "processing".to_string(),
            (true, None) => "processing".to_string(),
            (_, Some(status)) => status,
            (false, None) => "pending".to_string(),
        };
        if paid {
            mark_paid(&mut order);
        }
        self.move_order_status(&mut data, &mut order, &status, &mut changed_stock);
        data.upsert((Resource::Orders, 0), order.clone());
        drop(data);
        self.fire_stock_changes(changed_stock);
        self.fire(Resource::Orders, "created", &order);
        Ok((201, order))
    }

    fn update_order(
        &self,
        id: i64,
        fields: Map<String, Value>,
        missing: impl Fn() -> SimError,
    ) -> WriteAnswer {
        let mut data = write(&self.data);
        let Some(mut order) = data.find((Resource::Orders, 0), id).cloned() else {
            return Err(missing());
        };
        let mut changed_stock = Vec::new();
        self.apply_order_fields(&mut data, &mut order, &fields);
        if fields.get("set_paid").is_some_and(boolean) {
            mark_paid(&mut order);
        }
        if let Some(status) = fields.get("status").and_then(Value::as_str) {
            self.move_order_status(&mut data, &mut order, status, &mut changed_stock);
        }
        SimStore::touch(&mut order);
        data.upsert((Resource::Orders, 0), order.clone());
        drop(data);
        self.fire_stock_changes(changed_stock);
        self.fire(Resource::Orders, "updated", &order);
        Ok((200, order))
    }

    fn apply_order_fields(
        &self,
        data: &mut StoreData,
        order: &mut Value,
        fields: &Map<String, Value>,
    ) {
        for (field, value) in fields {
            match field.as_str() {
                "billing" | "shipping" => merge_address(&mut order[field.as_str()], value),
                "meta_data" => self.merge_meta(order, value),
                "line_items" => self.merge_line_items(data, order, value),
                "customer_id" => order[field.as_str()] = json!(integer(value).unwrap_or(0)),
                "customer_note" | "payment_method" | "payment_method_title" | "transaction_id" => {
                    order[field.as_str()] = value.clone()
                }
                _ => {}
            }
        }
        recompute_totals(order);
    }

    /// Line items with an `id` change that item (a quantity of 0 removes it); others are
    /// added, priced from the product the store has, or empty when it has none.
    fn merge_line_items(&self, data: &StoreData, order: &mut Value, items: &Value) {
        let mut lines = order["line_items"].as_array().cloned().unwrap_or_default();
        for item in items.as_array().into_iter().flatten() {
            let quantity = item.get("quantity").and_then(integer).unwrap_or(1);
            if let Some(id) = item.get("id").and_then(integer) {
                if quantity <= 0 {
                    lines.retain(|line| line["id"].as_i64() != Some(id));
                } else if let Some(line) = lines
                    .iter_mut()
                    .find(|line| line["id"].as_i64() == Some(id))
                {
                    let price = line["price"].as_f64().unwrap_or(0.0);
                    set_line_quantity(line, price, quantity);
                }
                continue;
            }
            let product_id = item.get("product_id").and_then(integer).unwrap_or(0);
            let variation_id = item.get("variation_id").and_then(integer).unwrap_or(0);
            let product = data.find((Resource::Products, 0), product_id);
            let variation = (variation_id > 0)
                .then(|| data.find((Resource::ProductVariations, product_id), variation_id))
                .flatten();
            let found = match (product, variation_id) {
                (Some(product), 0) => Some((product, product)),
                (Some(product), _) => variation.map(|variation| (product, variation)),
                (None, _) => None,
            };
            let mut line = json!({
                "id": self.next_row_id(),
                "name": "",
                "product_id": 0,
                "variation_id": 0,
                "quantity": quantity,
                "tax_class": "",
                "subtotal": "0.00",
                "subtotal_tax": "0.00",
                "total": "0.00",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
                "sku": null,
                "price": 0,
                "image": {"id": 0, "src": ""},
                "parent_name": null,
            });
            if let Some((product, sellable)) = found {
                let price: f64 = sellable["price"]
                    .as_str()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0.0);
                line["name"] = sellable["name"].clone();
                line["product_id"] = json!(product_id);
                line["variation_id"] = json!(variation_id);
                line["sku"] = sellable["sku"].clone();
                line["image"] = json!({"id": "", "src": ""});
                if variation_id > 0 {
                    line["parent_name"] = product["name"].clone();
                }
                set_line_quantity(&mut line, price, quantity);
            }
            lines.push(line);
        }
        order["line_items"] = Value::Array(lines);
    }

    /// Moves an order to `status`: into a paid status it takes its products' stock (once),
    /// into `cancelled` it gives back what it took.
    fn move_order_status(
        &self,
        data: &mut StoreData,
        order: &mut Value,
        status: &str,
        changed: &mut Vec<(Resource, i64, Value)>,
    ) {
        let was = order["status"].as_str().unwrap_or_default().to_string();
        order["status"] = json!(status);
        let now = Utc::now().format(DATE_FORMAT).to_string();
        if status == "completed" && order["date_completed"].is_null() {
            order["date_completed"] = json!(now);
            order["date_completed_gmt"] = json!(now);
            if order["date_paid"].is_null() {
                mark_paid(order);
            }
        }
        if status == "processing" && order["date_paid"].is_null() {
            mark_paid(order);
        }
        let lines = order["line_items"].as_array_mut();
        let taking = PAID.contains(&status) && !PAID.contains(&was.as_str());
        let giving_back = status == "cancelled";
        for line in lines.into_iter().flatten() {
            let reduced = reduced_stock(line);
            let quantity = line["quantity"].as_i64().unwrap_or(0);
            let delta = match (taking, giving_back, reduced) {
                (true, _, None) => -quantity,
                (_, true, Some(taken)) => taken,
                _ => continue,
            };
            let product_id = line["product_id"].as_i64().unwrap_or(0);
            let variation_id = line["variation_id"].as_i64().unwrap_or(0);
            let (resource, parent, id) = match variation_id {
                0 => (Resource::Products, 0, product_id),
                variation => (Resource::ProductVariations, product_id, variation),
            };
            let Some(record) = data.find_mut((resource, parent), id) else {
                continue;
            };
            if record["manage_stock"].as_bool() != Some(true) {
                continue;
            }
            let stock = record["stock_quantity"].as_i64().unwrap_or(0) + delta;
            set_stock(record, stock);
            SimStore::touch(record);
            changed.push((resource, parent, record.clone()));
            let meta = line["meta_data"].as_array_mut();
            if let Some(meta) = meta {
                meta.retain(|entry| entry["key"] != "_reduced_stock");
                if delta < 0 {
                    meta.push(json!({
                        "id": self.next_row_id(),
                        "key": "_reduced_stock",
                        "value": (-delta).to_string(),
                        "display_key": "_reduced_stock",
                        "display_value": (-delta).to_string(),
                    }));
                }
            }
        }
        if taking {
            count_sales(data, order);
        }
        let editable = ["pending", "on-hold", "auto-draft", "checkout-draft"].contains(&status);
        order["is_editable"] = json!(editable);
        let total: f64 = order["total"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0);
        order["needs_payment"] = json!(total > 0.0 && ["pending", "failed"].contains(&status));
    }

    fn fire_stock_changes(&self, changed: Vec<(Resource, i64, Value)>) {
        for (resource, _, record) in changed {
            self.fire(resource, "updated", &record);
        }
    }

    fn create_customer(&self, fields: Map<String, Value>) -> WriteAnswer {
        let Some(email) = fields
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Err(SimError::new(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): email",
            )
            .with_data("params", json!(["email"])));
        };
        if !email.contains('@') {
            return Err(invalid_params(vec![(
                "email".into(),
                "rest_invalid_email".into(),
                "Invalid email address.".into(),
            )]));
        }
        let mut data = write(&self.data);
        if data
            .collection((Resource::Customers, 0))
            .iter()
            .any(|customer| {
                customer["email"]
                    .as_str()
                    .is_some_and(|held| held.eq_ignore_ascii_case(&email))
            })
        {
            return Err(SimError::new(
                400,
                "registration-error-email-exists",
                &format!(
                    "An account is already registered with {email}. Please log in or use a different email address."
                ),
            ));
        }
        let id = data.next_id(Resource::Customers);
        let mut customer = self.template(
            captured(&CUSTOMER_CAPTURE, CUSTOMER_CREATED),
            "customers",
            id,
        );
        for address in ["billing", "shipping"] {
            if let Some(fields) = customer[address].as_object_mut() {
                fields.values_mut().for_each(|value| *value = json!(""));
            }
        }
        let username = fields
            .get("username")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
        customer["email"] = json!(email);
        customer["username"] = json!(username);
        customer["first_name"] = json!("");
        customer["last_name"] = json!("");
        customer["billing"]["email"] = json!(email);
        customer["meta_data"] = json!([]);
        self.apply_customer_fields(&mut customer, &fields);
        data.upsert((Resource::Customers, 0), customer.clone());
        drop(data);
        self.fire(Resource::Customers, "created", &customer);
        Ok((201, customer))
    }

    fn update_customer(
        &self,
        id: i64,
        fields: Map<String, Value>,
        missing: impl Fn() -> SimError,
    ) -> WriteAnswer {
        let mut data = write(&self.data);
        let Some(customer) = data.find_mut((Resource::Customers, 0), id) else {
            return Err(missing());
        };
        self.apply_customer_fields(customer, &fields);
        SimStore::touch(customer);
        let customer = customer.clone();
        drop(data);
        self.fire(Resource::Customers, "updated", &customer);
        Ok((200, customer))
    }

    fn apply_customer_fields(&self, customer: &mut Value, fields: &Map<String, Value>) {
        for (field, value) in fields {
            match field.as_str() {
                "first_name" | "last_name" | "email" => customer[field.as_str()] = value.clone(),
                "billing" | "shipping" => merge_address(&mut customer[field.as_str()], value),
                "meta_data" => self.merge_meta(customer, value),
                _ => {}
            }
        }
    }

    fn create_note(&self, order_id: i64, fields: Map<String, Value>) -> WriteAnswer {
        let Some(note) = fields
            .get("note")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Err(SimError::new(
                400,
                "rest_missing_callback_param",
                "Missing parameter(s): note",
            )
            .with_data("params", json!(["note"])));
        };
        let mut data = write(&self.data);
        if data.find((Resource::Orders, 0), order_id).is_none() {
            return Err(SimError::new(
                404,
                "woocommerce_rest_order_invalid_id",
                "Invalid order ID.",
            ));
        }
        let id = data.next_id(Resource::OrderNotes);
        let now = Utc::now().format(DATE_FORMAT).to_string();
        let base = format!("{}/wp-json/wc/v3/orders/{order_id}", self.site_url);
        let record = json!({
            "id": id,
            "author": "WooCommerce",
            "date_created": now,
            "date_created_gmt": now,
            "note": note,
            "customer_note": fields.get("customer_note").is_some_and(boolean),
            "_links": {
                "self": [{"href": format!("{base}/notes/{id}"), "targetHints": {"allow": ["GET", "DELETE"]}}],
                "collection": [{"href": format!("{base}/notes")}],
                "up": [{"href": base}],
            },
        });
        data.upsert((Resource::OrderNotes, order_id), record.clone());
        Ok((201, record))
    }

    /// A record shaped as the store answered a create in the captures, for `id`.
    fn template(&self, capture: &Value, collection: &str, id: i64) -> Value {
        let captured_id = capture["body"]["id"].as_i64().unwrap_or_default();
        let text = capture["body"]
            .to_string()
            .replace(CAPTURED_SITE, &self.site_url)
            .replace(
                &format!("/{collection}/{captured_id}\""),
                &format!("/{collection}/{id}\""),
            );
        let mut record: Value = serde_json::from_str(&text).expect("a capture stays JSON");
        record["id"] = json!(id);
        let now = Utc::now().format(DATE_FORMAT).to_string();
        for field in [
            "date_created",
            "date_created_gmt",
            "date_modified",
            "date_modified_gmt",
        ] {
            if record.get(field).is_some() {
                record[field] = json!(now);
            }
        }
        record
    }

    /// Meta entries as `update_meta_data` keeps them: one with an `id`, or with a key
    /// already held, changes that entry; any other is added.
    fn merge_meta(&self, record: &mut Value, entries: &Value) {
        let mut meta = record["meta_data"].as_array().cloned().unwrap_or_default();
        for entry in entries.as_array().into_iter().flatten() {
            let key = entry.get("key").and_then(Value::as_str);
            let held = meta.iter_mut().find(|held| {
                entry.get("id").is_some_and(|id| held["id"] == *id)
                    || key.is_some_and(|key| held["key"] == key)
            });
            match held {
                Some(held) => held["value"] = entry.get("value").cloned().unwrap_or(Value::Null),
                None => {
                    if let Some(key) = key {
                        meta.push(json!({
                            "id": self.next_row_id(),
                            "key": key,
                            "value": entry.get("value").cloned().unwrap_or(Value::Null),
                        }));
                    }
                }
            }
        }
        record["meta_data"] = Value::Array(meta);
    }

    /// An id for a row of WooCommerce's own tables (order items, meta), which have an id
    /// space apart from posts'.
    fn next_row_id(&self) -> i64 {
        self.next_row_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// The body's fields: JSON that is not an object carries none, as WordPress reads it.
fn request_fields(body: &[u8]) -> Result<Map<String, Value>, SimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Ok(Map::new()),
        Err(_) => Err(SimError::new(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
        )),
    }
}

/// Checks every parameter against its schema type as WordPress does before the handler
/// runs: a refusal names each bad parameter and saves nothing.
fn check_params(fields: &Map<String, Value>, schema: &[(&str, ParamType)]) -> Result<(), SimError> {
    let mut refused = Vec::new();
    for (name, kind) in schema {
        let Some(value) = fields.get(*name) else {
            continue;
        };
        if (value.is_null() && NULLABLE.contains(name)) || accepts(*kind, value) {
            continue;
        }
        let (code, message) = match kind {
            ParamType::OneOf(allowed) => (
                "rest_not_in_enum",
                format!("{name} is not one of {}.", listed(allowed)),
            ),
            other => (
                "rest_invalid_type",
                format!("{name} is not of type {}.", other.name()),
            ),
        };
        refused.push((name.to_string(), code.to_string(), message));
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(invalid_params(refused))
    }
}

/// Whether WordPress takes `value` as a `kind` (`rest_validate_value_from_schema`): an
/// integer may come as a numeric string and a boolean as `"true"`, `"false"`, `"1"` or
/// `"0"`; a number is never a string.
fn accepts(kind: ParamType, value: &Value) -> bool {
    match kind {
        ParamType::Text => value.is_string(),
        ParamType::Integer => integer(value).is_some(),
        ParamType::Boolean => {
            value.is_boolean()
                || value
                    .as_str()
                    .is_some_and(|text| ["true", "false", "1", "0"].contains(&text))
        }
        ParamType::Object => value.is_object(),
        ParamType::Array => value.is_array(),
        ParamType::OneOf(allowed) => value.as_str().is_some_and(|text| allowed.contains(&text)),
    }
}

fn invalid_params(refused: Vec<(String, String, String)>) -> SimError {
    let names: Vec<&str> = refused.iter().map(|(name, _, _)| name.as_str()).collect();
    let mut params = Map::new();
    let mut details = Map::new();
    for (name, code, message) in &refused {
        params.insert(name.clone(), json!(message));
        let data = if code == "rest_not_in_enum" {
            Value::Null
        } else {
            json!({"param": name})
        };
        details.insert(
            name.clone(),
            json!({"code": code, "message": message, "data": data}),
        );
    }
    SimError::new(
        400,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {}", names.join(", ")),
    )
    .with_data("params", Value::Object(params))
    .with_data("details", Value::Object(details))
}

/// A list as WordPress's `%l` writes it: `a, b, and c`.
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn integer(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
}

fn boolean(value: &Value) -> bool {
    value.as_bool().unwrap_or_else(|| {
        value
            .as_str()
            .is_some_and(|text| text == "true" || text == "1")
    })
}

fn check_unique_sku(data: &StoreData, sku: &str, own_id: Option<i64>) -> Result<(), SimError> {
    if sku.is_empty() {
        return Ok(());
    }
    let holder = data
        .collection((Resource::Products, 0))
        .iter()
        .chain(
            data.parents(Resource::ProductVariations)
                .into_iter()
                .flat_map(|parent| data.collection((Resource::ProductVariations, parent))),
        )
        .find(|record| record["sku"] == sku && record["id"].as_i64() != own_id);
    match holder {
        Some(holder) => {
            Err(
                SimError::new(400, "product_invalid_sku", "Invalid or duplicated SKU.")
                    .with_data("resource_id", holder["id"].clone())
                    .with_data("unique_sku", json!(format!("{sku}-1"))),
            )
        }
        None => Ok(()),
    }
}

/// An address changed field by field, as the REST controllers set each one given.
fn merge_address(address: &mut Value, changes: &Value) {
    if let (Some(address), Some(changes)) = (address.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            address.insert(key.clone(), value.clone());
        }
    }
}

/// Sets a managed stock and the status it implies, as `wc_update_product_stock` does.
fn set_stock(record: &mut Value, quantity: i64) {
    record["stock_quantity"] = json!(quantity);
    let backorders = record["backorders"].as_str().unwrap_or("no") != "no";
    record["stock_status"] = json!(match (quantity > 0, backorders) {
        (true, _) => "instock",
        (false, true) => "onbackorder",
        (false, false) => "outofstock",
    });
    if record.get("backordered").is_some() {
        record["backordered"] = json!(quantity < 0 && backorders);
    }
}

fn set_line_quantity(line: &mut Value, price: f64, quantity: i64) {
    let total = format!("{:.2}", price * quantity as f64);
    line["quantity"] = json!(quantity);
    line["price"] = json!(price);
    line["subtotal"] = json!(total);
    line["total"] = json!(total);
}

/// An order's totals from its lines, without taxes or shipping (the simulated store
/// charges neither on orders made through the API).
fn recompute_totals(order: &mut Value) {
    let total: f64 = order["line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|line| {
            line["total"]
                .as_str()
                .and_then(|total| total.parse::<f64>().ok())
        })
        .sum();
    order["total"] = json!(format!("{total:.2}"));
    for field in [
        "total_tax",
        "cart_tax",
        "discount_total",
        "discount_tax",
        "shipping_total",
        "shipping_tax",
    ] {
        order[field] = json!("0.00");
    }
}

fn mark_paid(order: &mut Value) {
    let now = Utc::now().format(DATE_FORMAT).to_string();
    order["date_paid"] = json!(now);
    order["date_paid_gmt"] = json!(now);
}

/// What a line item took from stock when its order was paid.
fn reduced_stock(line: &Value) -> Option<i64> {
    line["meta_data"]
        .as_array()?
        .iter()
        .find(|entry| entry["key"] == "_reduced_stock")
        .and_then(|entry| integer(&entry["value"]))
}

fn slug(name: &str) -> String {
    let mut slug = String::new();
    for character in name.to_lowercase().chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

fn price_html(price: &str) -> String {
    if price.is_empty() {
        return String::new();
    }
    format!(
        "<span class=\"woocommerce-Price-amount amount\"><bdi><span class=\"woocommerce-Price-currencySymbol\">&#36;</span>{price}</bdi></span>"
    )
}
