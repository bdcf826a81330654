use tests::TestDb;

/// Rows that must be refused, each with why.
const BAD_ROWS: &[(&str, &str)] = &[
    ("negative quantity", "insert into order_items (order_id, product_id, quantity, unit_price) values (1, 1, -2, 10)"),
    ("zero quantity", "insert into order_items (order_id, product_id, quantity, unit_price) values (1, 1, 0, 10)"),
    ("negative price", "insert into products (sku, name, category, price) values ('X', 'X', 'food', -1)"),
    ("unknown product category", "insert into products (sku, name, category, price) values ('Y', 'Y', 'cars', 1)"),
    ("unknown appointment status", "insert into appointments (owner_id, kind, status, scheduled_at) values (1, 'checkup', 'maybe', now())"),
    ("unknown appointment kind", "insert into appointments (owner_id, kind, status, scheduled_at) values (1, 'party', 'completed', now())"),
    ("unknown species", "insert into pets (owner_id, name, species) values (1, 'Nemo', 'dragon')"),
    ("death before birth", "insert into pets (owner_id, name, species, birth_date, deceased_on) values (1, 'X', 'dog', '2020-01-01', '2019-01-01')"),
    ("phone not in E.164", "update owner_profiles set phone_primary = '998-123-4567' where owner_id = 1"),
    ("malformed email", "update owners set email = 'maria.garcia' where id = 1"),
    ("blank name", "insert into owners (first_name) values ('  ')"),
    ("unknown contact preference", "update owner_profiles set contact_preference = 'pigeon' where owner_id = 1"),
    ("unknown customer type", "update owner_profiles set customer_type = 'gold' where owner_id = 1"),
    ("vaccine due before applied", "insert into vaccinations (pet_id, vaccine, applied_on, due_on) values (1, 'Rabia', '2025-01-01', '2024-01-01')"),
    ("same tag in another case", "insert into owner_tags (name) values ('vip')"),
    ("negative order total", "insert into orders (owner_id, ordered_at, total) values (1, now(), -5)"),
    ("unknown order status", "insert into orders (owner_id, ordered_at, total, status) values (1, now(), 5, 'lost')"),
    ("unknown communication status", "insert into communications (owner_id, direction, channel, status) values (1, 'outbound', 'whatsapp', 'teleported')"),
    ("unknown staff role", "insert into staff (name, role) values ('X', 'admin')"),
    ("unknown campaign status", "insert into marketing_campaigns (name, campaign_type, body, status) values ('X', 'whatsapp', 'hola', 'exploded')"),
    ("zero loyalty points", "insert into loyalty_transactions (loyalty_id, transaction_type, points) values (1, 'earn', 0)"),
    ("unknown loyalty tier", "update loyalty_programs set tier = 'diamond' where id = (select min(id) from loyalty_programs)"),
    ("churn risk above 1", "insert into customer_metrics (owner_id, churn_risk_score) values (1, 1.5)"),
    ("note for a missing owner", "insert into owner_notes (owner_id, content) values (999999, 'x')"),
    ("duplicate inbox id", "insert into inbox (channel, platform_id, chat_id, payload) values ('telegram', '1', '1', '{}'), ('telegram', '1', '1', '{}')"),
];

#[tokio::test]
async fn constraints_refuse_nonsense() {
    // Arrange: the demo clinic, so foreign keys to owner 1, pet 1, order 1 resolve.
    let db = TestDb::demo().await;
    for (why, sql) in BAD_ROWS {
        // Act
        let result = sqlx::raw_sql(sql).execute(&db.pool).await;
        // Assert
        assert!(result.is_err(), "accepted a row with {why}: {sql}");
    }
}

#[tokio::test]
async fn good_rows_are_accepted() {
    let db = TestDb::demo().await;
    sqlx::raw_sql(
        "insert into owner_tags (name) values ('Gatos felices');
         update owner_profiles set phone_secondary = '+529980000000' where owner_id = 1;
         insert into pets (owner_id, name, species, sex) values (1, 'Nemo', 'other', 'unknown');",
    )
    .execute(&db.pool)
    .await
    .expect("valid rows are accepted");
}
