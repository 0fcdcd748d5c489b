//! Webhooks: registering ours at a store and keeping them enabled, and what the receiver
//! needs to take a delivery (its secret, its signature, its de-duplication key).

pub mod delivery;
pub mod registration;
pub mod secrets;

/// The topics woosync registers: what changes records it keeps. Customers have no
/// `restored`; refunds arrive as `order.updated`, variations as `product.*`.
pub const TOPICS: [&str; 15] = [
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "coupon.created",
    "coupon.updated",
    "coupon.deleted",
    "coupon.restored",
    "customer.created",
    "customer.updated",
    "customer.deleted",
];

/// The path stores deliver to, under the service's public URL.
pub const HANDLE_PATH: &str = "/api/integrations/woocommerce/webhooks/handle";

/// Where a store delivers its webhooks: the receiver, the store named in the query.
pub fn delivery_url(public_url: &str, store_id: i64) -> String {
    format!(
        "{}{HANDLE_PATH}?store={store_id}",
        public_url.trim_end_matches('/')
    )
}
