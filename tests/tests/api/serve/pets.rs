//! A pet's death and a booking typed on Telegram by the front desk (a `staff` member), end
//! to end through the command brain (issue 14).

use super::*;

#[tokio::test]
async fn the_front_desk_records_a_death_on_telegram_and_a_later_booking_is_refused() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let rocky = app
        .scalar_i64("select id from pets where name = 'Rocky'")
        .await;
    let before = app.scalar_i64("select count(*) from appointments").await;
    // Act
    let died = p::telegram_text_update(2, TG_STAFF, "Rocky falleció ayer");
    assert_eq!(app.post_telegram(&died).await, 200);
    // Assert: one gentle card, Rocky marked on the clinic's yesterday.
    let card = app.telegram_message("Lo sentimos mucho").await;
    let text = card.body["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Rocky") && text.contains("19 Nov 2025"),
        "{text}"
    );
    let marked = app
        .scalar_i64(&format!(
            "select count(*) from pets where id = {rocky} and deceased_on = date '2025-11-19'"
        ))
        .await;
    assert_eq!(marked, 1);
    // A booking for Rocky afterwards writes nothing.
    let book = p::telegram_text_update(3, TG_STAFF, "cita de Rocky el martes a las 10 (vacuna)");
    assert_eq!(app.post_telegram(&book).await, 200);
    app.telegram_message("no agendé la cita").await;
    assert_eq!(
        app.scalar_i64("select count(*) from appointments").await,
        before
    );
}

#[tokio::test]
async fn the_front_desk_adds_a_client_with_a_pet_on_telegram() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let msg = p::telegram_text_update(
        2,
        TG_STAFF,
        "nuevo cliente Juan Pérez 998 765 4321, perro Rocky labrador de 3 años",
    );
    assert_eq!(app.post_telegram(&msg).await, 200);
    app.telegram_message("Cliente nuevo: Juan Pérez").await;
    let pets = app
        .scalar_i64(
            "select count(*) from pets p join owner_profiles o on o.owner_id = p.owner_id
              where o.phone_primary = '+529987654321' and p.name = 'Rocky' and p.species = 'dog'",
        )
        .await;
    assert_eq!(pets, 1);
}
