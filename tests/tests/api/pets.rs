//! Writes about one pet from the chat (issue 14): a death and a booking, on the demo clinic
//! (frozen on Thursday 2025-11-20). Each goes to exactly the pet named, is audited, and is
//! refused when the pet is ambiguous, the time is past, or the pet has died.

use bot::domain::Lang;
use bot::render::Markup;
use bot::tools::{self, ToolError};
use serde_json::{json, Value};
use tests::tools::{call, card, context};
use tests::TestDb;

/// The front desk: a `staff` member, not an owner.
async fn front_desk(db: &TestDb) -> i64 {
    sqlx::query_scalar("select id from staff where role = 'staff' and active order by id limit 1")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn as_staff(
    db: &TestDb,
    lang: Lang,
    name: &str,
    args: Value,
) -> Result<tools::ToolOutput, ToolError> {
    let mut ctx = context(&db.pool, lang).await;
    ctx.staff_id = Some(front_desk(db).await);
    tools::call(&ctx, name, args).await
}

async fn pet(db: &TestDb, owner: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "select p.id from pets p join owners o on o.id = p.owner_id where o.full_name = $1 and p.name = $2",
    )
    .bind(owner)
    .bind(name)
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

async fn deceased_on(db: &TestDb, pet: i64) -> Option<chrono::NaiveDate> {
    sqlx::query_scalar("select deceased_on from pets where id = $1")
        .bind(pet)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

/// The owner of the demo's only Rocky.
async fn rocky_owner(db: &TestDb) -> String {
    sqlx::query_scalar(
        "select o.full_name from pets p join owners o on o.id = p.owner_id where p.name = 'Rocky'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_death_marks_exactly_the_pet_named_once_gently_and_audited() {
    let db = TestDb::demo().await;
    let owner = rocky_owner(&db).await;
    let rocky = pet(&db, &owner, "Rocky").await;
    let luna = pet(&db, &owner, "Luna").await;
    let audited = count(
        &db,
        "select count(*) from audit_log where tool = 'mark_pet_deceased'",
    )
    .await;

    let out = as_staff(
        &db,
        Lang::Es,
        "mark_pet_deceased",
        json!({"pet": "rocky", "date": "2025-11-19"}),
    )
    .await
    .expect("a staff member may record a death");
    let text = out.card.render(Markup::Plain);
    assert!(text.contains("Lo sentimos mucho"), "{text}");
    assert!(
        text.contains("Rocky") && text.contains(&owner) && text.contains("19 Nov 2025"),
        "{text}"
    );
    assert_eq!(out.data["changed"], true);
    assert_eq!(
        deceased_on(&db, rocky)
            .await
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-11-19")
    );
    // Only Rocky: his housemate Luna lives on.
    assert_eq!(deceased_on(&db, luna).await, None);
    // An internal note on the owner's profile, and an audit row.
    let note: String = sqlx::query_scalar(
        "select content from owner_notes where owner_id = $1 order by id desc limit 1",
    )
    .bind(out.data["user_id"].as_i64().unwrap())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(note.contains("Rocky falleció"), "{note}");
    assert_eq!(
        count(
            &db,
            "select count(*) from audit_log where tool = 'mark_pet_deceased' and outcome = 'ok'"
        )
        .await,
        audited + 1
    );

    // A second mark changes nothing and says so.
    let again = call(
        &db.pool,
        "mark_pet_deceased",
        json!({"pet": "Rocky", "date": "2025-11-20"}),
    )
    .await
    .unwrap();
    assert_eq!(again.data["changed"], false);
    assert!(again
        .card
        .render(Markup::Plain)
        .contains("Ya estaba registrado"));
    assert_eq!(
        deceased_on(&db, rocky)
            .await
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-11-19")
    );

    // Grief-safe from then on: no longer among the living pets listed next to the owner.
    let living = bot::crm::pets::living_pets(&db.pool, &[out.data["user_id"].as_i64().unwrap()])
        .await
        .unwrap();
    assert!(living.iter().all(|p| p.name != "Rocky"), "{living:?}");
    assert!(living.iter().any(|p| p.name == "Luna"));
}

#[tokio::test]
async fn a_name_several_pets_share_is_asked_back_and_the_owner_settles_it() {
    let db = TestDb::demo().await;
    let before = count(
        &db,
        "select count(*) from pets where deceased_on is not null",
    )
    .await;
    let out = call(&db.pool, "mark_pet_deceased", json!({"pet": "Max"}))
        .await
        .unwrap();
    let listed = out.data["ambiguous"].as_array().unwrap();
    assert!(listed.len() >= 2, "{listed:?}");
    let text = out.card.render(Markup::Plain);
    assert!(
        text.contains("¿Cuál Max?") && text.contains("María García"),
        "{text}"
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from pets where deceased_on is not null"
        )
        .await,
        before
    );

    // Named with the owner: that Max, and no other.
    let maria_max = pet(&db, "María García", "Max").await;
    let out = call(
        &db.pool,
        "mark_pet_deceased",
        json!({"pet": "Max", "owner": "maria garcia"}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["pet_id"], maria_max);
    assert_eq!(
        count(
            &db,
            "select count(*) from pets where deceased_on is not null"
        )
        .await,
        before + 1
    );
}

#[tokio::test]
async fn a_death_in_the_future_or_of_no_such_pet_writes_nothing() {
    let db = TestDb::demo().await;
    let before = count(
        &db,
        "select count(*) from pets where deceased_on is not null",
    )
    .await;
    let err = call(
        &db.pool,
        "mark_pet_deceased",
        json!({"pet": "Rocky", "date": "2025-12-01"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ToolError::InvalidArguments(_)), "{err:?}");
    let err = call(&db.pool, "mark_pet_deceased", json!({"pet": "Pelusin"}))
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::NotFound(_)), "{err:?}");
    assert_eq!(
        count(
            &db,
            "select count(*) from pets where deceased_on is not null"
        )
        .await,
        before
    );
}

#[tokio::test]
async fn a_booking_lands_in_clinic_time_once_with_a_dated_card() {
    let db = TestDb::demo().await;
    let thor_owner: String = sqlx::query_scalar(
        "select o.full_name from pets p join owners o on o.id = p.owner_id where p.name = 'Thor'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let thor = pet(&db, &thor_owner, "Thor").await;
    let args = json!({"pet": "Thor", "date": "2025-11-25", "time": "10:00", "kind": "vaccination", "reason": "vacuna"});
    let out = as_staff(&db, Lang::Es, "book_appointment", args.clone())
        .await
        .expect("staff may book");
    let text = out.card.render(Markup::Plain);
    assert!(
        text.contains("Cita agendada") && text.contains("martes 25 Nov 2025, 10:00"),
        "{text}"
    );
    assert!(text.contains("Vacunación (vacuna)"), "{text}");
    let (status, local, kind, reason): (String, String, String, String) = sqlx::query_as(
        "select status, to_char(scheduled_at at time zone 'America/Cancun', 'YYYY-MM-DD HH24:MI'), kind, reason
           from appointments where id = $1 and pet_id = $2",
    )
    .bind(out.data["appointment_id"].as_i64().unwrap())
    .bind(thor)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        (
            status.as_str(),
            local.as_str(),
            kind.as_str(),
            reason.as_str()
        ),
        ("scheduled", "2025-11-25 10:00", "vaccination", "vacuna")
    );
    // The same booking again adds nothing.
    let again = call(&db.pool, "book_appointment", args).await.unwrap();
    assert_eq!(again.data["changed"], false);
    assert_eq!(
        count(&db, &format!("select count(*) from appointments where pet_id = {thor} and status = 'scheduled' and scheduled_at > now() - interval '10 years' and kind = 'vaccination' and reason = 'vacuna'")).await,
        1
    );
    // English staff get an English date.
    let en = card(
        &db.pool,
        Lang::En,
        "book_appointment",
        json!({"pet": "Thor", "date": "2025-11-28", "time": "16:00"}),
    )
    .await;
    assert!(
        en.contains("Appointment booked") && en.contains("Friday Nov 28, 2025, 4:00 PM"),
        "{en}"
    );
}

#[tokio::test]
async fn a_booking_in_the_past_for_a_deceased_or_ambiguous_pet_is_refused() {
    let db = TestDb::demo().await;
    let before = count(&db, "select count(*) from appointments").await;
    let past = call(
        &db.pool,
        "book_appointment",
        json!({"pet": "Thor", "date": "2025-11-19", "time": "10:00"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(past, ToolError::InvalidArguments(_)), "{past:?}");
    // Duque (Jorge Vargas's dog) died: no appointment, said gently.
    let duque = call(
        &db.pool,
        "book_appointment",
        json!({"pet": "Duque", "date": "2025-11-25", "time": "10:00"}),
    )
    .await
    .unwrap();
    assert_eq!(duque.data["changed"], false);
    assert!(
        duque.card.render(Markup::Plain).contains("no agendé"),
        "{}",
        duque.card.render(Markup::Plain)
    );
    let max = call(
        &db.pool,
        "book_appointment",
        json!({"pet": "Max", "date": "2025-11-25", "time": "10:00"}),
    )
    .await
    .unwrap();
    assert!(max.data["ambiguous"].is_array());
    assert_eq!(
        count(&db, "select count(*) from appointments").await,
        before
    );
}

#[tokio::test]
async fn a_death_cancels_the_pets_upcoming_appointments() {
    let db = TestDb::demo().await;
    let booked = call(
        &db.pool,
        "book_appointment",
        json!({"pet": "Thor", "date": "2025-11-26", "time": "12:00"}),
    )
    .await
    .unwrap();
    let id = booked.data["appointment_id"].as_i64().unwrap();
    let out = call(
        &db.pool,
        "mark_pet_deceased",
        json!({"pet": "Thor", "date": "2025-11-20"}),
    )
    .await
    .unwrap();
    assert!(out.data["appointments_cancelled"].as_i64().unwrap() >= 1);
    let status: String = sqlx::query_scalar("select status from appointments where id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(status, "cancelled");
}

#[tokio::test]
async fn a_new_client_is_created_once_with_pets_and_no_consent() {
    let db = TestDb::demo().await;
    let args = json!({"first_name": "Juan", "last_name": "Pérez", "phone": "998 765 4321",
        "pets": [{"name": "Rocky", "species": "perro", "breed": "labrador", "age_years": 3}]});
    let out = as_staff(&db, Lang::Es, "create_client", args.clone())
        .await
        .expect("staff may create");
    let id = out.data["user_id"].as_i64().unwrap();
    let text = out.card.render(Markup::Plain);
    assert!(
        text.contains("Cliente nuevo: Juan Pérez") && text.contains(&format!("#{id}")),
        "{text}"
    );
    assert!(
        text.contains("Rocky (Perro, labrador, ~3 año(s))"),
        "{text}"
    );
    let (phone, opt_in): (String, bool) = sqlx::query_as(
        "select phone_primary, marketing_opt_in from owner_profiles where owner_id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(phone, "+529987654321");
    assert!(!opt_in);
    assert_eq!(
        count(
            &db,
            &format!("select count(*) from consent_events where owner_id = {id}")
        )
        .await,
        0
    );
    let (species, breed, born): (String, Option<String>, Option<chrono::NaiveDate>) =
        sqlx::query_as("select species, breed, birth_date from pets where owner_id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        (species.as_str(), breed.as_deref()),
        ("dog", Some("labrador"))
    );
    assert_eq!(born.map(|d| d.to_string()).as_deref(), Some("2022-11-20"));
    // The same phone in another format: no second client, and the card says who it is.
    let owners = count(&db, "select count(*) from owners").await;
    let again = call(
        &db.pool,
        "create_client",
        json!({"first_name": "Juan", "phone": "+52 1 998 765 4321"}),
    )
    .await
    .unwrap();
    assert_eq!(again.data["created"], false);
    assert_eq!(again.data["user_id"], id);
    assert!(again.card.render(Markup::Plain).contains("Juan Pérez"));
    assert_eq!(count(&db, "select count(*) from owners").await, owners);
    // María García's phone is hers.
    let maria = call(
        &db.pool,
        "create_client",
        json!({"first_name": "Otra", "phone": "998-123-4567"}),
    )
    .await
    .unwrap();
    assert_eq!(maria.data["existing"], "María García");
    // A phone that is no phone writes nothing.
    let bad = call(
        &db.pool,
        "create_client",
        json!({"first_name": "X", "phone": "12"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(bad, ToolError::InvalidArguments(_)), "{bad:?}");
    assert_eq!(count(&db, "select count(*) from owners").await, owners);
}
