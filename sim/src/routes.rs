//! The WooCommerce REST API v3 routes the simulated store answers.

use woocommerce::Resource;

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    List {
        resource: Resource,
        parent: i64,
    },
    Get {
        resource: Resource,
        parent: i64,
        id: RecordId,
    },
    SystemStatus,
    /// One setting of a group, such as `products/woocommerce_notify_low_stock_amount`.
    Setting {
        group: String,
        id: String,
    },
    Webhooks,
    Webhook(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum RecordId {
    Number(i64),
    /// Shipping methods and payment gateways have string ids.
    Text(String),
}

fn number(segment: &str) -> Option<i64> {
    segment.parse().ok()
}

fn get(resource: Resource, parent: i64, id: &str) -> Option<Route> {
    let id = match resource {
        Resource::ShippingMethods | Resource::PaymentGateways => RecordId::Text(id.to_string()),
        _ => RecordId::Number(number(id)?),
    };
    Some(Route::Get {
        resource,
        parent,
        id,
    })
}

fn list(resource: Resource, parent: i64) -> Option<Route> {
    Some(Route::List { resource, parent })
}

/// The route of a path under `/wp-json/wc/v3/`, if there is one.
pub fn route(path: &str) -> Option<Route> {
    use Resource::*;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["system_status"] => Some(Route::SystemStatus),
        ["settings", group, id] => Some(Route::Setting {
            group: group.to_string(),
            id: id.to_string(),
        }),
        ["webhooks"] => Some(Route::Webhooks),
        ["webhooks", id] => number(id).map(Route::Webhook),
        ["products", "categories"] => list(ProductCategories, 0),
        ["products", "categories", id] => get(ProductCategories, 0, id),
        ["products", "tags"] => list(ProductTags, 0),
        ["products", "tags", id] => get(ProductTags, 0, id),
        ["products", "reviews"] => list(ProductReviews, 0),
        ["products", "reviews", id] => get(ProductReviews, 0, id),
        ["products", "shipping_classes"] => list(ProductShippingClasses, 0),
        ["products", "shipping_classes", id] => get(ProductShippingClasses, 0, id),
        ["products", "attributes"] => list(ProductAttributes, 0),
        ["products", "attributes", id] => get(ProductAttributes, 0, id),
        ["products", "attributes", parent, "terms"] => list(ProductAttributeTerms, number(parent)?),
        ["products", "attributes", parent, "terms", id] => {
            get(ProductAttributeTerms, number(parent)?, id)
        }
        ["products"] => list(Products, 0),
        ["products", id] => get(Products, 0, id),
        ["products", parent, "variations"] => list(ProductVariations, number(parent)?),
        ["products", parent, "variations", id] => get(ProductVariations, number(parent)?, id),
        ["orders"] => list(Orders, 0),
        ["orders", id] => get(Orders, 0, id),
        ["orders", parent, "refunds"] => list(OrderRefunds, number(parent)?),
        ["orders", parent, "refunds", id] => get(OrderRefunds, number(parent)?, id),
        ["orders", parent, "notes"] => list(OrderNotes, number(parent)?),
        ["orders", parent, "notes", id] => get(OrderNotes, number(parent)?, id),
        ["customers"] => list(Customers, 0),
        ["customers", id] => get(Customers, 0, id),
        ["coupons"] => list(Coupons, 0),
        ["coupons", id] => get(Coupons, 0, id),
        ["taxes", "classes"] => list(TaxClasses, 0),
        ["taxes"] => list(TaxRates, 0),
        ["taxes", id] => get(TaxRates, 0, id),
        ["shipping", "zones"] => list(ShippingZones, 0),
        ["shipping", "zones", id] => get(ShippingZones, 0, id),
        ["shipping", "zones", parent, "locations"] => list(ShippingZoneLocations, number(parent)?),
        ["shipping", "zones", parent, "methods"] => list(ShippingZoneMethods, number(parent)?),
        ["shipping", "zones", parent, "methods", id] => {
            get(ShippingZoneMethods, number(parent)?, id)
        }
        ["shipping_methods"] => list(ShippingMethods, 0),
        ["shipping_methods", id] => get(ShippingMethods, 0, id),
        ["payment_gateways"] => list(PaymentGateways, 0),
        ["payment_gateways", id] => get(PaymentGateways, 0, id),
        _ => None,
    }
}

/// The type in a `woocommerce_rest_<type>_invalid_id` error.
pub fn invalid_id_kind(resource: Resource) -> &'static str {
    match resource {
        Resource::Products => "product",
        Resource::ProductVariations => "product_variation",
        Resource::Orders => "shop_order",
        Resource::OrderRefunds => "shop_order_refund",
        Resource::Coupons => "shop_coupon",
        Resource::Customers => "customer",
        _ => "term",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_path_routes_back_to_its_resource() {
        for resource in Resource::ALL {
            let path = resource.collection_path(7);
            let parent = if path.contains('7') { 7 } else { 0 };
            assert_eq!(
                route(&path),
                Some(Route::List { resource, parent }),
                "{path}"
            );
        }
        assert_eq!(route("no-such-thing"), None);
    }
}
