//! Short fact questions answered by the command brain: one line from the client's profile
//! above the card (issue #20, item 2), for the client named — by name or by pet — or the
//! one on the card shown.

use bot::brain::engine::Engine;
use bot::domain::Lang;
use bot::render::fmt;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tests::TestDb;

use crate::engine::ask;

const CARLOS: i64 = 2;

async fn last_visit(db: &TestDb, owner: i64) -> (NaiveDate, String) {
    sqlx::query_as(
        "select (scheduled_at at time zone 'America/Cancun')::date, reason from appointments
          where owner_id = $1 and status = 'completed' order by scheduled_at desc limit 1",
    )
    .bind(owner)
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

fn first_line(reply: &str) -> &str {
    reply.lines().next().unwrap_or_default()
}

#[tokio::test]
async fn the_last_visit_of_a_pet_is_the_first_line_above_its_owners_card() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let (day, reason) = last_visit(&db, CARLOS).await;
    let reply = ask(&engine, "¿cuándo fue la última visita de Buddy?").await;
    assert_eq!(
        first_line(&reply),
        format!(
            "Última visita de Buddy: {}, {reason}",
            fmt::date(day, Lang::Es)
        ),
        "{reply}"
    );
    assert!(reply.contains("**Carlos Méndez**"), "{reply}");
    // English staff get the answer in English.
    let reply = ask(&engine, "when was Buddy last in?").await;
    assert_eq!(
        first_line(&reply),
        format!("Buddy's last visit: {}, {reason}", fmt::date(day, Lang::En)),
        "{reply}"
    );
}

#[tokio::test]
async fn a_question_after_a_card_is_about_the_cards_client() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    // With no card shown, the brain asks whose.
    let reply = ask(&engine, "su teléfono").await;
    assert!(reply.starts_with("¿De qué cliente?"), "{reply}");
    ask(&engine, "Cuéntame sobre Carlos Méndez").await;
    let reply = ask(&engine, "¿y sus mascotas?").await;
    assert_eq!(
        first_line(&reply),
        "Mascotas de Carlos Méndez (1): Buddy",
        "{reply}"
    );
    let spent: Decimal =
        sqlx::query_scalar("select total_spent from owner_activity where owner_id = $1")
            .bind(CARLOS)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let orders: i64 = sqlx::query_scalar(
        "select completed_orders::bigint from owner_activity where owner_id = $1",
    )
    .bind(CARLOS)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let reply = ask(&engine, "¿cuánto ha gastado?").await;
    assert_eq!(
        first_line(&reply),
        format!(
            "Carlos Méndez ha gastado {} en {orders} compras.",
            fmt::money(spent)
        ),
        "{reply}"
    );
    let reply = ask(&engine, "su teléfono").await;
    assert_eq!(
        first_line(&reply),
        format!("Teléfono de Carlos Méndez: {}", fmt::phone("+529982345678")),
        "{reply}"
    );
}

#[tokio::test]
async fn a_fact_about_a_named_client_in_english() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let reply = ask(&engine, "what's Sarah Johnson's phone number?").await;
    assert_eq!(
        first_line(&reply),
        format!("Sarah Johnson's phone: {}", fmt::phone("+13125550199")),
        "{reply}"
    );
    assert!(reply.contains("**Sarah Johnson**"), "{reply}");
}

#[tokio::test]
async fn the_vaccines_due_come_from_the_pets_vaccinations() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let (vaccine, due): (String, NaiveDate) = sqlx::query_as(
        "select v.vaccine, v.due_on from vaccinations v join pets p on p.id = v.pet_id
          where p.owner_id = $1 and p.name = 'Buddy' order by v.applied_on desc limit 1",
    )
    .bind(CARLOS)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let reply = ask(&engine, "¿qué vacunas le tocan a Buddy?").await;
    assert_eq!(
        first_line(&reply),
        format!("Vacunas de Buddy: {vaccine}, {}", fmt::date(due, Lang::Es)),
        "{reply}"
    );
    assert!(reply.contains("**Carlos Méndez**"), "{reply}");
}

/// The tags, orders and living pets of owner `id`, as stored.
async fn carlos_on_file(db: &TestDb, id: i64) -> (Vec<String>, i64, Vec<String>) {
    let tags: Vec<String> = sqlx::query_scalar(
        "select t.name from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id
              where pt.owner_id = $1",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let orders: i64 = sqlx::query_scalar(
        "select count(*) from orders where owner_id = $1 and status = 'completed'",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let pets: Vec<String> = sqlx::query_scalar("select name from pets where owner_id = $1")
        .bind(id)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    (tags, orders, pets)
}

#[tokio::test]
async fn every_kind_of_fact_is_one_line_from_the_clients_data_in_spanish_and_english() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let (tags, orders, pets) = carlos_on_file(&db, CARLOS).await;
    let first = |reply: String| first_line(&reply).to_owned();
    // Contact details, as the demo clinic stores them.
    assert_eq!(
        first(ask(&engine, "¿cuál es el correo de Carlos Méndez?").await),
        "Correo de Carlos Méndez: carlos.mendez@email.com"
    );
    assert_eq!(
        first(ask(&engine, "dirección de Carlos Méndez").await),
        "Dirección de Carlos Méndez: Av. Javier Rojo Gómez 12, Puerto Morelos"
    );
    let phone = first(ask(&engine, "teléfono de Carlos Méndez").await);
    assert!(phone.starts_with("Teléfono de Carlos Méndez: "), "{phone}");
    assert!(phone.contains("234"), "{phone}");
    // Pets, spend and purchases.
    let line = first(ask(&engine, "¿qué mascotas tiene Carlos Méndez?").await);
    assert!(
        line.starts_with(&format!("Mascotas de Carlos Méndez ({})", pets.len())),
        "{line}"
    );
    for pet in &pets {
        assert!(line.contains(pet.as_str()), "{line}");
    }
    let line = first(ask(&engine, "¿cuánto ha gastado Carlos Méndez?").await);
    assert!(line.starts_with("Carlos Méndez ha gastado $"), "{line}");
    assert!(line.ends_with(&format!(" en {orders} compras.")), "{line}");
    let line = first(ask(&engine, "¿qué compró Carlos Méndez la última vez?").await);
    assert!(
        line.starts_with("Última compra de Carlos Méndez: "),
        "{line}"
    );
    let line = first(ask(&engine, "¿qué etiquetas tiene Carlos Méndez?").await);
    assert!(line.starts_with("Etiquetas de Carlos Méndez: "), "{line}");
    assert!(!tags.is_empty());
    for tag in &tags {
        assert!(line.contains(tag.as_str()), "{line}");
    }
    let line = first(ask(&engine, "tiene cita carlos mendez?").await);
    assert!(
        line.starts_with("Próxima cita de Carlos Méndez: ")
            || line == "Carlos Méndez no tiene citas próximas.",
        "{line}"
    );
    // The same in English.
    let line = first(ask(&engine, "what's Carlos Méndez's email?").await);
    assert_eq!(line, "Carlos Méndez's e-mail: carlos.mendez@email.com");
    let line = first(ask(&engine, "how much has Carlos Méndez spent?").await);
    assert!(line.starts_with("Carlos Méndez has spent $"), "{line}");
    assert!(line.ends_with(&format!(" over {orders} orders.")), "{line}");
    let line = first(ask(&engine, "what pets does Carlos Méndez have?").await);
    assert!(line.starts_with("Carlos Méndez's pets ("), "{line}");
}
