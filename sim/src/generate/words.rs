//! The words generated records are made of: names, companies, product copy, reasons.

pub(super) const FIRST_NAMES: &[&str] = &[
    "Oliver",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mason",
    "Charlotte",
    "Ethan",
    "Amelia",
    "Patricia",
    "Robert",
    "Hannah",
    "Jonas",
    "Lena",
    "Louis",
    "Chloe",
    "Harry",
    "Grace",
    "Mateo",
    "Sofia",
    "Daniel",
    "Leah",
    "Finn",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Smith", "Brown", "Garcia", "Johnson", "Williams", "Miller", "Davis", "Martinez", "Lopez",
    "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Walker",
    "Young", "King", "Mueller", "Schmidt", "Fischer", "Dubois", "Laurent", "Bernard", "Evans",
    "Hughes", "Clarke", "Patel",
];

pub(super) const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Northwind Traders",
    "Blue Harbor LLC",
    "Umbrella Studio",
];

pub(super) const ADJECTIVES: &[&str] = &[
    "Classic",
    "Vintage",
    "Smart",
    "Urban",
    "Eco",
    "Deluxe",
    "Rustic",
    "Modern",
    "Compact",
    "Premium",
    "Essential",
    "Nordic",
    "Heritage",
    "Everyday",
    "Pro",
    "Coastal",
    "Alpine",
    "Studio",
    "Weekend",
    "Signature",
];

pub(super) const MATERIALS: &[&str] = &[
    "Oak", "Linen", "Bamboo", "Leather", "Cotton", "Steel", "Ceramic", "Walnut", "Wool", "Recycled",
];

pub(super) const OPENERS: &[&str] = &[
    "Meet the {name}, built for everyday use and made to last.",
    "The {name} pairs thoughtful design with honest, durable materials.",
    "Designed in-house and tested by our team for months, the {name} quickly became a customer favourite.",
    "Upgrade your routine with the {name}, our take on a {noun} done right.",
    "If you have been looking for a {noun} that simply works, the {name} is it.",
];

pub(super) const DETAILS: &[&str] = &[
    "Every piece is inspected by hand before it leaves our workshop.",
    "The finish resists scratches, stains and fading, even after years of daily use.",
    "It is light enough to take anywhere and sturdy enough to last for years.",
    "Materials come from suppliers we have worked with for over a decade.",
    "Packaging is plastic-free and fully recyclable.",
    "Care is simple: wipe it clean with a damp cloth and let it dry naturally.",
    "It pairs well with the rest of our {category} range.",
    "Small batches keep the quality consistent and the waste low.",
    "Reviewers keep mentioning how well it holds up after months of use.",
    "We test every design with real customers before it reaches the shop.",
];

pub(super) const CLOSERS: &[&str] = &[
    "Ships within two business days from our warehouse.",
    "Covered by our two-year warranty and thirty-day returns.",
    "Not sure it is right for you? Our support team is happy to help.",
    "Order before 2pm for same-day dispatch.",
];

pub(super) const REVIEW_TEXTS: &[&str] = &[
    "Exactly as described and arrived quickly.",
    "Sturdy, well made and looks great. Would buy again.",
    "Good value for the price, though the colour is slightly darker than in the photos.",
    "Took a while to arrive but the quality makes up for it.",
    "My second one already: it is that good.",
    "Not quite what I expected, the size runs small.",
    "Lovely finish and the packaging was plastic-free.",
    "Works well, but the instructions could be clearer.",
];

pub(super) const REFUND_REASONS: &[&str] = &[
    "Damaged in transit",
    "Customer changed their mind",
    "Item out of stock",
    "Price adjustment",
    "Late delivery",
    "",
];

pub(super) const USER_AGENTS: &[(&str, &str)] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Desktop",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Desktop",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mobile",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Tablet",
    ),
];
