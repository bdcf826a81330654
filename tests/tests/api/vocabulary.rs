//! The clinic's vocabulary has one source, `bot::domain`: the lists the database keeps (check
//! constraints, the bit sets of `owner_activity`) and the way it folds text must agree with it.

use bot::domain::{
    fold, AppointmentKind, ContactPreference, CustomerType, Lang, LoyaltyTier, ProductCategory,
    Species,
};
use sqlx::PgPool;
use tests::TestDb;

/// The quoted codes of an SQL text, in order (`ARRAY['dog'::text, 'cat'::text]` -> dog, cat).
fn quoted(sql: &str) -> Vec<String> {
    sql.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The codes the check constraint on `table.column` allows, in the order it lists them.
async fn allowed_codes(pool: &PgPool, table: &str, column: &str) -> Vec<String> {
    let checks: Vec<String> = sqlx::query_scalar(
        "select pg_get_constraintdef(c.oid) from pg_constraint c
           join pg_attribute a on a.attrelid = c.conrelid and a.attname = $2
          where c.conrelid = $1::regclass and c.contype = 'c' and c.conkey = array[a.attnum]",
    )
    .bind(table)
    .bind(column)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(checks.len(), 1, "one check on {table}.{column}: {checks:?}");
    quoted(&checks[0])
}

/// The lists `owner_activity_bit` numbers its bits from: species first, then categories.
async fn bit_lists(pool: &PgPool) -> Vec<Vec<String>> {
    let source: String =
        sqlx::query_scalar("select prosrc from pg_proc where proname = 'owner_activity_bit'")
            .fetch_one(pool)
            .await
            .unwrap();
    source
        .split("array[")
        .skip(1)
        .map(|list| quoted(&list[..list.find(']').unwrap()]))
        .collect()
}

async fn bit(pool: &PgPool, code: &str) -> Option<i32> {
    sqlx::query_scalar("select owner_activity_bit($1)")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_database_lists_the_species_of_the_rust_enum_in_its_order() {
    // Arrange
    let db = TestDb::migrated().await;
    // Act
    let allowed = allowed_codes(&db.pool, "pets", "species").await;
    let bits = bit_lists(&db.pool).await;
    // Assert
    assert_eq!(allowed, Species::db_codes());
    assert_eq!(bits[0], Species::db_codes());
    for (i, species) in Species::ALL.into_iter().enumerate() {
        assert_eq!(
            bit(&db.pool, species.as_db_str()).await,
            Some(1 << i),
            "{species:?}"
        );
    }
}

#[tokio::test]
async fn the_database_lists_the_product_categories_of_the_rust_enum_in_its_order() {
    // Arrange
    let db = TestDb::migrated().await;
    // Act
    let allowed = allowed_codes(&db.pool, "products", "category").await;
    let bits = bit_lists(&db.pool).await;
    // Assert
    assert_eq!(allowed, ProductCategory::db_codes());
    assert_eq!(bits[1], ProductCategory::db_codes());
    assert_eq!(
        bits.len(),
        2,
        "owner_activity_bit numbers species and categories only"
    );
    for (i, category) in ProductCategory::ALL.into_iter().enumerate() {
        assert_eq!(
            bit(&db.pool, category.as_db_str()).await,
            Some(1 << i),
            "{category:?}"
        );
    }
    assert_eq!(
        bit(&db.pool, "iguana").await,
        None,
        "unknown codes have no bit"
    );
}

#[tokio::test]
async fn the_database_checks_the_other_codes_of_the_rust_enums() {
    // Arrange
    let db = TestDb::migrated().await;
    let codes = |all: Vec<&str>| all.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let mut customer_types = vec![String::new()]; // not classified yet
    customer_types.extend(codes(
        CustomerType::ALL.map(CustomerType::as_db_str).to_vec(),
    ));
    for (table, column, expected) in [
        (
            "appointments",
            "kind",
            codes(
                AppointmentKind::ALL
                    .map(AppointmentKind::as_db_str)
                    .to_vec(),
            ),
        ),
        (
            "owner_profiles",
            "contact_preference",
            codes(
                ContactPreference::ALL
                    .map(ContactPreference::as_db_str)
                    .to_vec(),
            ),
        ),
        ("owner_profiles", "customer_type", customer_types),
        (
            "loyalty_programs",
            "tier",
            codes(LoyaltyTier::ALL.map(LoyaltyTier::as_db_str).to_vec()),
        ),
        (
            "owner_profiles",
            "preferred_language",
            codes(Lang::ALL.map(Lang::as_db_str).to_vec()),
        ),
        (
            "staff",
            "language",
            codes(Lang::ALL.map(Lang::as_db_str).to_vec()),
        ),
    ] {
        // Act
        let allowed = allowed_codes(&db.pool, table, column).await;
        // Assert
        assert_eq!(allowed, expected, "{table}.{column}");
    }
}

#[tokio::test]
async fn rust_folds_text_as_the_database_search_key_does() {
    // Arrange
    let db = TestDb::migrated().await;
    let samples = [
        "María García",
        "NIÑO Núñez",
        "pingüino Güero",
        "ÁÉÍÓÚ àèìòù âêîôû äëïö",
        "Straße ẞ",
        "Æsop œuvre",
        "ﬁn ﬂor ﬀ",
        "ＭＡＸ ９９８",
        "Øre Łódź đ ð þ",
        "Çç Åå",
        "  ¡Sí! ¿Quién? +52 (998) 123-45.67, #3 ",
        "“Max” O’Brien – 2…",
    ];
    // Act
    let keys: Vec<String> = sqlx::query_scalar(
        "select f_search_key(x) from unnest($1::text[]) with ordinality s(x, i) order by i",
    )
    .bind(samples)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    // Assert
    for (sample, key) in samples.iter().zip(keys) {
        assert_eq!(fold(sample), key, "{sample}");
    }
}
