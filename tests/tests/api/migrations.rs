use bot::db::MIGRATOR;
use tests::TestDb;

#[tokio::test]
async fn migrations_apply_cleanly_twice() {
    // Arrange
    let db = TestDb::empty().await;
    // Act
    MIGRATOR.run(&db.pool).await.expect("first run");
    MIGRATOR.run(&db.pool).await.expect("second run is a no-op");
    // Assert
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(applied as usize, MIGRATOR.iter().count());
    let extensions: Vec<String> = sqlx::query_scalar(
        "select extname::text from pg_extension where extname in ('unaccent', 'pg_trgm', 'fuzzystrmatch') order by 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(extensions, ["fuzzystrmatch", "pg_trgm", "unaccent"]);
}

#[tokio::test]
async fn every_model_of_the_story_has_a_table() {
    let db = TestDb::migrated().await;
    for table in [
        "owners",
        "owner_profiles",
        "owner_tags",
        "owner_profile_tags",
        "owner_notes",
        "customer_metrics",
        "marketing_campaigns",
        "loyalty_programs",
        "loyalty_transactions",
        "pets",
        "vaccinations",
        "appointments",
        "products",
        "orders",
        "order_items",
        "communications",
        "staff",
        "staff_identities",
        "conversations",
        "inbox",
        "audit_log",
    ] {
        let exists: bool = sqlx::query_scalar("select to_regclass($1) is not null")
            .bind(table)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(exists, "missing table {table}");
    }
    let money: String = sqlx::query_scalar(
        "select data_type::text from information_schema.columns where table_name = 'orders' and column_name = 'total'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(money, "numeric");
}

#[tokio::test]
async fn search_keys_ignore_case_and_accents() {
    let db = TestDb::migrated().await;
    let key: String = sqlx::query_scalar("select f_search_key('María GARCÍA Núñez')")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(key, "maria garcia nunez");
}
