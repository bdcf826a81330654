//! `get_segment`: owners matching filters, checked against the demo clinic's specs.

use bot::clock::ClinicClock;
use bot::demo::people::{OwnerSpec, OWNERS};
use bot::domain::Lang;
use bot::render::Markup;
use bot::tools::{self, ToolContext, ToolError, ToolOutput};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use tests::TestDb;

async fn ctx(db: &TestDb, lang: Lang) -> ToolContext {
    ToolContext {
        pool: db.pool.clone(),
        clock: ClinicClock::load(&db.pool).await.unwrap(),
        lang,
        staff_id: Some(1),
        channel: "test".into(),
        source: None,
        telegram_bot: None,
        conversation: None,
        marketing: Default::default(),
        edited: false,
    }
}

async fn segment(db: &TestDb, args: Value) -> ToolOutput {
    let ctx = ctx(db, Lang::Es).await;
    tools::call(&ctx, "get_segment", args).await.unwrap()
}

/// The owners' names in the order returned.
fn names(out: &ToolOutput) -> Vec<String> {
    out.data["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Demo owners matching `keep`, ordered as segments are: highest lifetime spend first.
fn expected(keep: impl Fn(&OwnerSpec) -> bool) -> Vec<String> {
    let mut specs: Vec<&OwnerSpec> = OWNERS.iter().filter(|o| keep(o)).collect();
    specs.sort_by_key(|o| (std::cmp::Reverse(o.spent), o.first, o.last));
    specs
        .iter()
        .map(|o| format!("{} {}", o.first, o.last))
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn markdown(out: &ToolOutput) -> String {
    out.card.render(Markup::Markdown)
}

#[tokio::test]
async fn vip_clients_who_spent_15000_are_exactly_the_demos_big_vip_spenders() {
    // Arrange
    let db = TestDb::demo().await;
    // Act
    let out = segment(
        &db,
        json!({"filters": {"tags": ["VIP"], "min_spent": 15000}}),
    )
    .await;
    // Assert
    let want = expected(|o| o.tags.contains(&"VIP") && o.spent >= 15_000);
    assert_eq!(want, ["Rosa Medina", "Roberto Sánchez"]);
    assert_eq!(names(&out), want);
    assert_eq!(out.data["total"], 2);
    let rosa = &out.data["owners"][0];
    assert_eq!(rosa["days_since_visit"], 9);
    assert_eq!(rosa["phone"], "+529985670000");
    let spent: Decimal = rosa["total_spent"].as_str().unwrap().parse().unwrap();
    assert_eq!(spent, dec!(16900));
    let pets: Vec<&str> = rosa["pets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(pets, ["Princesa", "Garfield"]);
    // The normalised filters come back, ready for a campaign to reuse.
    assert_eq!(
        out.data["filters"],
        json!({"min_spent": "15000", "tags": ["VIP"]})
    );
    let card = markdown(&out);
    assert!(
        card.starts_with("🎯 **Segmento:** 2 clientes\n• Gasto total ≥ $15,000 MXN\n• Etiquetas: VIP\n\n1. **Rosa Medina** · 998-567-0000\n   $16,900 MXN · última visita hace 9 días\n2. **Roberto Sánchez**"),
        "{card}"
    );
    assert!(!card.contains("más"), "{card}");
}

#[tokio::test]
async fn tags_must_all_match_ignoring_case_accents_and_spaces() {
    let db = TestDb::demo().await;
    let out = segment(
        &db,
        json!({"filters": {"tags": [" vip ", "DUENO DE PERRO"]}}),
    )
    .await;
    let want = expected(|o| o.tags.contains(&"VIP") && o.tags.contains(&"Dueño de Perro"));
    assert_eq!(want, ["Roberto Sánchez", "María García"]);
    assert_eq!(names(&out), want);
    assert_eq!(
        out.data["filters"]["tags"],
        json!(["vip", "DUENO DE PERRO"])
    );
    // A tag nobody carries matches nobody.
    let none = segment(&db, json!({"filters": {"tags": ["VIP", "Moroso"]}})).await;
    assert_eq!(none.data["total"], 0);
    assert!(markdown(&none).ends_with("Ningún cliente cumple estos filtros."));
}

#[tokio::test]
async fn species_filters_count_only_living_pets() {
    let db = TestDb::demo().await;
    let all = json!({"page_size": 50});
    let living = |o: &OwnerSpec, species: &str| {
        o.pets
            .iter()
            .any(|p| p.species == species && p.deceased_days_ago.is_none())
    };
    // Cats: "gato" is understood too.
    for species in ["cat", "Gato"] {
        let mut args = all.clone();
        args["filters"] = json!({"pet_species": species});
        let out = segment(&db, args).await;
        assert_eq!(
            sorted(names(&out)),
            sorted(expected(|o| living(o, "cat"))),
            "{species}"
        );
        assert_eq!(out.data["filters"]["pet_species"], "cat");
    }
    // Dogs: Jorge Vargas's only dog died, so he is not a dog owner any more.
    let out = segment(
        &db,
        json!({"filters": {"pet_species": "dog"}, "page_size": 50}),
    )
    .await;
    let dogs = names(&out);
    assert_eq!(sorted(dogs.clone()), sorted(expected(|o| living(o, "dog"))));
    assert!(!dogs.contains(&"Jorge Vargas".to_owned()));
    assert!(markdown(&out).contains("• Especie: Perro"));
}

#[tokio::test]
async fn days_since_visit_keeps_only_clients_away_that_long() {
    let db = TestDb::demo().await;
    let out = segment(
        &db,
        json!({"filters": {"days_since_visit": 90}, "page_size": 50}),
    )
    .await;
    let want = expected(|o| o.last_visit_days >= 90);
    assert!(want.contains(&"Carlos Méndez".to_owned()) && want.len() >= 8);
    assert_eq!(sorted(names(&out)), sorted(want));
    assert!(!names(&out).contains(&"María García".to_owned()));
    for owner in out.data["owners"].as_array().unwrap() {
        let spec = OWNERS
            .iter()
            .find(|o| format!("{} {}", o.first, o.last) == owner["name"])
            .unwrap();
        assert_eq!(owner["days_since_visit"], spec.last_visit_days);
    }
    // A window: away 90 to 150 days.
    let window = segment(
        &db,
        json!({"filters": {"days_since_visit": 90, "max_days_since_visit": 150}}),
    )
    .await;
    let want = expected(|o| (90..=150).contains(&o.last_visit_days));
    assert_eq!(names(&window), want);
    assert!(markdown(&window).contains("• Última visita hace 90–150 días"));
}

#[tokio::test]
async fn bought_category_means_a_completed_order_with_such_an_item() {
    let db = TestDb::demo().await;
    let want: Vec<String> = sqlx::query_scalar(
        "select o.full_name from owners o
          where exists (select 1 from orders d join order_items i on i.order_id = d.id
                          join products p on p.id = i.product_id
                         where d.owner_id = o.id and d.status = 'completed' and p.category = 'food')
          order by o.full_name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let out = segment(
        &db,
        json!({"filters": {"bought_category": "food"}, "page_size": 50}),
    )
    .await;
    assert!(want.contains(&"Sarah Johnson".to_owned()));
    assert_eq!(sorted(names(&out)), want);
    assert!(markdown(&out).contains("• Compró: alimento"));
}

/// The owners with a completed order holding an item whose brand is `brand` (exactly).
async fn buyers_of(db: &TestDb, brand: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select o.full_name from owners o
          where exists (select 1 from orders d join order_items i on i.order_id = d.id
                          join products p on p.id = i.product_id
                         where d.owner_id = o.id and d.status = 'completed' and p.brand = $1)
          order by o.full_name",
    )
    .bind(brand)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn bought_brand_means_a_completed_order_with_an_item_of_that_brand_however_it_is_typed() {
    // Arrange
    let db = TestDb::demo().await;
    let hills = buyers_of(&db, "Hill's").await;
    let royal = buyers_of(&db, "Royal Canin").await;
    assert!(!hills.is_empty() && !royal.is_empty());
    assert_ne!(hills, royal);
    for typed in ["Hill's", "hills", "HILL’S", "  hill's  "] {
        // Act
        let out = segment(
            &db,
            json!({"filters": {"bought_brand": typed}, "page_size": 50}),
        )
        .await;
        // Assert: the same clients, and the card names the brand as the catalogue does.
        assert_eq!(sorted(names(&out)), hills, "{typed}");
        assert!(
            markdown(&out).contains("• Compró la marca: Hill's"),
            "{typed}"
        );
    }
    let out = segment(
        &db,
        json!({"filters": {"bought_brand": "royal canin"}, "page_size": 50}),
    )
    .await;
    assert_eq!(sorted(names(&out)), royal);
    assert_eq!(out.data["filters"]["bought_brand"], "royal canin");
    // Words within the catalogue's brand: "Pro Plan" is "Purina Pro Plan"; "Plan Pro" is not.
    let pro_plan = segment(
        &db,
        json!({"filters": {"bought_brand": "Pro Plan"}, "page_size": 50}),
    )
    .await;
    assert_eq!(
        sorted(names(&pro_plan)),
        buyers_of(&db, "Purina Pro Plan").await
    );
    let wrong = segment(&db, json!({"filters": {"bought_brand": "Plan Pro"}})).await;
    assert_eq!(wrong.data["total"], 0);
    let part = segment(&db, json!({"filters": {"bought_brand": "canin r"}})).await;
    assert_eq!(part.data["total"], 0, "words are whole, in order");
}

#[tokio::test]
async fn a_cancelled_order_of_a_brand_does_not_put_a_client_in_its_segment() {
    let db = TestDb::demo().await;
    let royal = buyers_of(&db, "Royal Canin").await;
    let outsider: (i64, String) = sqlx::query_as(
        "select id, full_name from owners where not (full_name = any($1)) order by id limit 1",
    )
    .bind(&royal)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    // A cancelled and a refunded order of Royal Canin: no purchase.
    for status in ["cancelled", "refunded"] {
        sqlx::query(
            "with d as (insert into orders (owner_id, ordered_at, status, total)
                        values ($1, now() - interval '3 days', $2, 950) returning id)
             insert into order_items (order_id, product_id, quantity, unit_price)
             select d.id, p.id, 1, 950 from d, products p where p.sku = 'RC-IND-4'",
        )
        .bind(outsider.0)
        .bind(status)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    let out = segment(
        &db,
        json!({"filters": {"bought_brand": "Royal Canin"}, "page_size": 50}),
    )
    .await;
    assert_eq!(sorted(names(&out)), royal);
    assert!(!names(&out).contains(&outsider.1));
}

/// The owners whose loyalty account is in `tier` now.
async fn in_tier(db: &TestDb, tier: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select o.full_name from owners o join loyalty_programs l on l.owner_id = o.id
          where l.tier = $1 order by o.full_name",
    )
    .bind(tier)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// Moves the named clients to `tier` (as the nightly job would after their spend changed).
async fn set_tier(db: &TestDb, names: &[&str], tier: &str) {
    let done = sqlx::query(
        "update loyalty_programs set tier = $2
          where owner_id in (select id from owners where full_name = any($1))",
    )
    .bind(names)
    .bind(tier)
    .execute(&db.pool)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), names.len() as u64);
}

#[tokio::test]
async fn loyalty_tier_is_the_clients_tier_now_spanish_names_accepted() {
    // Arrange: the demo's tiers come from its loyalty history (silver and bronze); two
    // clients are gold, one seen 9 days ago, one not seen in 60+ days.
    let db = TestDb::demo().await;
    let silver = in_tier(&db, "silver").await;
    assert!(!silver.is_empty(), "the demo has silver clients");
    let recent = OWNERS
        .iter()
        .find(|o| o.last_visit_days < 30 && o.loyalty_account)
        .unwrap();
    let away = OWNERS
        .iter()
        .find(|o| o.last_visit_days >= 60 && o.loyalty_account)
        .unwrap();
    let (recent, away) = (
        format!("{} {}", recent.first, recent.last),
        format!("{} {}", away.first, away.last),
    );
    set_tier(&db, &[&recent, &away], "gold").await;
    let silver = in_tier(&db, "silver").await;
    for (typed, code, want, label) in [
        (
            "gold",
            "gold",
            sorted(vec![recent.clone(), away.clone()]),
            "Oro",
        ),
        (
            "Oro",
            "gold",
            sorted(vec![recent.clone(), away.clone()]),
            "Oro",
        ),
        ("plata", "silver", silver.clone(), "Plata"),
        ("silver", "silver", silver, "Plata"),
    ] {
        // Act
        let out = segment(
            &db,
            json!({"filters": {"loyalty_tier": typed}, "page_size": 50}),
        )
        .await;
        // Assert
        assert_eq!(sorted(names(&out)), want, "{typed}");
        assert_eq!(out.data["filters"]["loyalty_tier"], code);
        assert!(markdown(&out).contains(&format!("• Nivel de lealtad: {label}")));
    }
    // With another filter: gold clients not seen in 60+ days.
    let out = segment(
        &db,
        json!({"filters": {"loyalty_tier": "oro", "days_since_visit": 60}}),
    )
    .await;
    assert_eq!(names(&out), vec![away]);
    // Every client is in exactly one tier.
    let mut total = 0;
    for tier in ["bronce", "plata", "oro", "platino"] {
        let out = segment(&db, json!({"filters": {"loyalty_tier": tier}})).await;
        total += out.data["total"].as_i64().unwrap();
    }
    assert_eq!(total, OWNERS.len() as i64);
}

#[tokio::test]
async fn a_client_without_a_loyalty_account_yet_is_bronze() {
    let db = TestDb::demo().await;
    let silver = in_tier(&db, "silver").await;
    let name = silver[0].clone();
    sqlx::query(
        "delete from loyalty_programs where owner_id = (select id from owners where full_name = $1)",
    )
    .bind(&name)
    .execute(&db.pool)
    .await
    .unwrap();
    let bronze = segment(
        &db,
        json!({"filters": {"loyalty_tier": "bronze"}, "page_size": 50}),
    )
    .await;
    assert!(names(&bronze).contains(&name));
    let silver_now = segment(&db, json!({"filters": {"loyalty_tier": "silver"}})).await;
    assert_eq!(silver_now.data["total"], silver.len() as i64 - 1);
}

#[tokio::test]
async fn segment_cards_name_brand_and_tier_in_english() {
    let db = TestDb::demo().await;
    let ctx = ctx(&db, Lang::En).await;
    let out = tools::call(
        &ctx,
        "get_segment",
        json!({"filters": {"bought_brand": "royal canin", "loyalty_tier": "platino"}}),
    )
    .await
    .unwrap();
    let card = markdown(&out);
    assert!(
        card.contains(
            "• Bought the brand: Royal Canin
• Loyalty tier: Platinum"
        ),
        "{card}"
    );
}

#[tokio::test]
async fn opted_in_only_leaves_out_clients_who_declined_marketing() {
    let db = TestDb::demo().await;
    let everyone = segment(&db, json!({})).await;
    let consenting = segment(&db, json!({"filters": {"opted_in_only": true}})).await;
    // Declined, or never gave consent (new clients start without it).
    let declined = OWNERS
        .iter()
        .filter(|o| !o.opt_in || !o.consent_recorded)
        .count() as i64;
    assert!(declined >= 2);
    assert_eq!(everyone.data["total"], OWNERS.len() as i64);
    assert_eq!(consenting.data["total"], OWNERS.len() as i64 - declined);
    assert!(markdown(&everyone).contains("• Todos los clientes"));
    let all = segment(
        &db,
        json!({"filters": {"opted_in_only": true}, "page_size": 50}),
    )
    .await;
    assert!(!names(&all).contains(&"Alejandro Morales".to_owned()));
    assert!(!names(&all).contains(&"Valeria Mendoza".to_owned()));
}

#[tokio::test]
async fn segments_are_paged_without_gaps_or_repeats() {
    let db = TestDb::demo().await;
    let mut seen = Vec::new();
    for page in 1..=4 {
        let out = segment(&db, json!({"page": page, "page_size": 10})).await;
        assert_eq!(out.data["total"], OWNERS.len() as i64);
        assert_eq!(out.data["page"], page);
        assert_eq!(out.data["pages"], OWNERS.len().div_ceil(10));
        if page == 2 {
            let footer = format!("Página 2 de {}", OWNERS.len().div_ceil(10));
            assert!(markdown(&out).ends_with(&footer), "{}", markdown(&out));
        }
        seen.extend(names(&out));
    }
    assert_eq!(seen.len(), OWNERS.len());
    assert_eq!(sorted(seen.clone()), sorted(expected(|_| true)));
    let past_the_end = segment(&db, json!({"page": 9, "page_size": 10})).await;
    assert!(names(&past_the_end).is_empty());
    assert_eq!(past_the_end.data["total"], OWNERS.len() as i64);
}

#[tokio::test]
async fn owners_who_never_visited_count_as_away_forever() {
    // Arrange: one owner who never came, one seen 10 days ago.
    let db = TestDb::migrated().await;
    sqlx::raw_sql(
        "insert into clinic (id, name, frozen_today) values (1, 'Prueba', '2025-11-20');
         insert into staff (id, name, role) values (1, 'Dr. Pablo', 'owner');
         insert into owners (id, first_name, last_name, created_at) values
            (1, 'Nunca', 'Vino', '2025-01-01'), (2, 'Vino', 'Hace Poco', '2025-01-01');
         insert into owner_profiles (owner_id) values (1), (2);
         insert into appointments (owner_id, kind, status, scheduled_at)
            values (2, 'checkup', 'completed', '2025-11-10 10:00-05');",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    // Act
    let away = segment(&db, json!({"filters": {"days_since_visit": 90}})).await;
    let recent = segment(&db, json!({"filters": {"max_days_since_visit": 30}})).await;
    // Assert
    assert_eq!(names(&away), ["Nunca Vino"]);
    assert_eq!(away.data["owners"][0]["days_since_visit"], Value::Null);
    assert!(markdown(&away).contains("$0 MXN · sin visitas"));
    assert_eq!(names(&recent), ["Vino Hace Poco"]);
    assert_eq!(recent.data["owners"][0]["days_since_visit"], 10);
}

#[tokio::test]
async fn bad_segment_arguments_are_rejected() {
    let db = TestDb::demo().await;
    let ctx = ctx(&db, Lang::Es).await;
    for (args, why) in [
        (json!({"filters": {"min_spend": 100}}), "unknown filter"),
        (json!({"colour": "red"}), "unknown argument"),
        (json!({"filters": {"min_spent": -1}}), "negative spend"),
        (
            json!({"filters": {"days_since_visit": -5}}),
            "negative days",
        ),
        (
            json!({"filters": {"max_days_since_visit": -1}}),
            "negative max",
        ),
        (
            json!({"filters": {"days_since_visit": 100, "max_days_since_visit": 30}}),
            "empty window",
        ),
        (json!({"filters": {"pet_species": "dragon"}}), "species"),
        (json!({"filters": {"bought_category": "cars"}}), "category"),
        (
            json!({"filters": {"bought_brand": " '' "}}),
            "brand without letters",
        ),
        (
            json!({"filters": {"bought_brand": "x".repeat(81)}}),
            "brand too long",
        ),
        (json!({"filters": {"loyalty_tier": "diamond"}}), "tier"),
        (json!({"filters": {"tags": ["  "]}}), "blank tag"),
        (json!({"filters": {"tags": "VIP"}}), "tags not a list"),
        (json!({"page": 0}), "page 0"),
        (json!({"page_size": 51}), "page too big"),
        (json!({"page_size": 0}), "empty page"),
    ] {
        let result = tools::call(&ctx, "get_segment", args).await;
        assert!(
            matches!(result, Err(ToolError::InvalidArguments(_))),
            "{why}: {result:?}"
        );
    }
}

#[tokio::test]
async fn segment_cards_speak_english() {
    let db = TestDb::demo().await;
    let ctx = ctx(&db, Lang::En).await;
    let out = tools::call(
        &ctx,
        "get_segment",
        json!({"filters": {"tags": ["VIP"], "min_spent": 15000}}),
    )
    .await
    .unwrap();
    let card = markdown(&out);
    assert!(
        card.starts_with("🎯 **Segment:** 2 clients\n• Total spend ≥ $15,000 MXN\n• Tags: VIP\n"),
        "{card}"
    );
    assert!(
        card.contains("$16,900 MXN · last visit 9 days ago"),
        "{card}"
    );
}

#[tokio::test]
async fn each_segment_call_writes_one_audit_row() {
    let db = TestDb::demo().await;
    let args = json!({"filters": {"pet_species": "cat"}});
    segment(&db, args.clone()).await;
    let rows: Vec<(String, Value, String, Option<i64>)> = sqlx::query_as(
        "select tool, arguments, outcome, staff_id from audit_log where tool = 'get_segment'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [("get_segment".to_owned(), args, "ok".to_owned(), Some(1))]
    );
}

/// The erased are left out of every segment, and a tombstone whose owner was deleted since
/// (its `owner_id` set to null) leaves every segment as it was (the erased are one hashed set
/// since issue 17, where a null would have made `not in` match no one).
#[tokio::test]
async fn the_erased_are_in_no_segment_and_a_tombstone_without_owner_changes_none() {
    let db = TestDb::demo().await;
    let away = json!({"filters": {"days_since_visit": 90}});
    let before = segment(&db, away.clone()).await;
    let total = before.data["total"].as_i64().unwrap();
    assert!(total > 1, "{total}");
    sqlx::raw_sql("insert into erased_clients (owner_id) values (null)")
        .execute(&db.pool)
        .await
        .unwrap();
    let after = segment(&db, away.clone()).await;
    assert_eq!(after.data["total"], total);
    assert_eq!(names(&after), names(&before));
    // Erasing the first of them takes them out of the count and the page.
    let first = before.data["owners"][0]["id"].as_i64().unwrap();
    sqlx::query("insert into erased_clients (owner_id) values ($1)")
        .bind(first)
        .execute(&db.pool)
        .await
        .unwrap();
    let erased = segment(&db, away).await;
    assert_eq!(erased.data["total"], total - 1);
    let (was, now) = (names(&before), names(&erased));
    assert_eq!(now[..was.len() - 1], was[1..]);
}

/// By spend and recency alone, a segment's total comes from `owner_activity_grid` (its whole
/// cells, plus the owners of the one band and the weeks the filter's edges cut): on a
/// generated clinic it equals a count of the owners by their local dates, for thresholds on
/// band edges and inside bands, cut-offs on week starts and mid-week, with an erased client
/// among them; and a write moves the count at once.
#[tokio::test]
async fn segment_totals_by_spend_and_recency_equal_a_count_of_the_owners() {
    use bot::crm::segments::{self, Criteria};

    // Arrange: a generated clinic (bulk load: the grid is rebuilt) with one client erased.
    let db = TestDb::migrated().await;
    let pool = &db.pool;
    devtools::synth::load_synthetic(pool, bot::demo::story_today(), 400, 11)
        .await
        .unwrap();
    sqlx::raw_sql(
        "insert into erased_clients (owner_id)
         select owner_id from owner_activity where total_spent > 0 and last_visit_at is not null
          order by owner_id limit 1",
    )
    .execute(pool)
    .await
    .unwrap();
    let clock = ClinicClock::load(pool).await.unwrap();
    let (today, tz) = (clock.today(), clock.tz().name());
    let counted = |min: Option<Decimal>, days: Option<i64>, max: Option<i64>| {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from owner_activity a
              where ($1::numeric is null or a.total_spent >= $1)
                and ($2::int is null or a.last_visit_at is null
                     or (a.last_visit_at at time zone $5)::date <= $4::date - $2::int)
                and ($3::int is null or (a.last_visit_at at time zone $5)::date >= $4::date - $3::int)
                and a.owner_id not in (select owner_id from erased_clients where owner_id is not null)",
        )
        .bind(min)
        .bind(days.map(|d| d as i32))
        .bind(max.map(|d| d as i32))
        .bind(today)
        .bind(tz)
        .fetch_one(pool)
    };
    let total = |min: Option<Decimal>, days: Option<i64>, max: Option<i64>| async move {
        let c = Criteria {
            min_spent: min,
            days_since_visit: days,
            max_days_since_visit: max,
            ..Criteria::default()
        }
        .normalised()
        .unwrap();
        segments::find(pool, today, tz, &c, 1, 0)
            .await
            .unwrap()
            .total
    };
    let spends = [
        None,
        Some(dec!(0)),
        Some(dec!(1)),
        Some(dec!(99.5)),
        Some(dec!(100)),
        Some(dec!(150)),
        Some(dec!(999.99)),
        Some(dec!(1000)),
        Some(dec!(1234.56)),
        Some(dec!(5000)),
        Some(dec!(5050.5)),
        Some(dec!(12000)),
        Some(dec!(99999)),
    ];
    let days = [
        None,
        Some(0),
        Some(1),
        Some(19),
        Some(30),
        Some(90),
        Some(365),
        Some(1000),
    ];
    let maxes = [None, Some(0), Some(30), Some(200), Some(800), Some(5000)];
    let mut checked = 0;
    let mut nonzero = 0;
    for min in spends {
        for d in days {
            for m in maxes {
                if let (Some(d), Some(m)) = (d, m) {
                    if d > m {
                        continue;
                    }
                }
                let want = counted(min, d, m).await.unwrap();
                // Act
                let got = total(min, d, m).await;
                // Assert
                assert_eq!(got, want, "min_spent {min:?}, days {d:?}, max days {m:?}");
                checked += 1;
                nonzero += usize::from(want > 0);
            }
        }
    }
    assert!(
        checked > 300 && nonzero > 150,
        "{checked} cases, {nonzero} non-empty"
    );

    // A purchase that lifts a client over the threshold counts at once.
    let (min, d) = (Some(dec!(5000)), Some(90));
    let before = total(min, d, None).await;
    sqlx::raw_sql(
        "insert into orders (owner_id, ordered_at, total)
         select a.owner_id, '2025-01-15 12:00-05', 5000 from owner_activity a
          where a.total_spent < 5000 and a.last_visit_at < '2025-06-01 00:00-05'
            and a.owner_id not in (select owner_id from erased_clients where owner_id is not null)
          order by a.owner_id limit 1",
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(total(min, d, None).await, before + 1);
    assert_eq!(
        total(min, d, None).await,
        counted(min, d, None).await.unwrap()
    );
}
