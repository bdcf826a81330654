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
