//! Each owner's morning digest at the owner's own time (issue 15, item 6), over the fake
//! Telegram server with the morning job on a clock the test moves: set from the chat, it
//! comes at that time and not before, once a clinic day (a restart does not send it again),
//! not when turned off; it tells who crossed into the at-risk list and which birthdays wait
//! for approval, as one photo with its caption; staff cannot set it.

use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::marketing::send::SendClock;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::*;

/// Lupita (demo member 2, role `staff`) on Telegram.
const TG_LUPITA: i64 = 555_000_222;
/// Carlos Méndez, a demo client with living pets.
const CARLOS: i64 = 2;
/// Roberto, a demo client with a pet whose birthday the test makes today.
const ROBERTO: i64 = 4;

/// `days` after the demo's 2025-11-20 at `h:m`, Cancún.
fn cancun(days: u64, h: u32, m: u32) -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap() + chrono::Days::new(days);
    let time = NaiveTime::from_hms_opt(h, m, 0).unwrap();
    ClinicClock::new(DEFAULT_TIMEZONE, None).local(day, time)
}

fn options(clock: &SendClock) -> Options {
    Options {
        morning_clock: Some(clock.clone()),
        ..Options::default()
    }
}

/// Dr. Pablo (demo member 1, owner) on Telegram as [`TG_STAFF`], Lupita as [`TG_LUPITA`];
/// Carlos's last visit turns 90 days old today (nothing booked), Roberto's pet has its
/// birthday today and he accepts WhatsApp promotions.
async fn arrange(app: &ServeApp) {
    let pool = &app.db.pool;
    for (staff, chat) in [(1, TG_STAFF), (2, TG_LUPITA)] {
        sqlx::query("insert into staff_identities (staff_id, channel, external_id) values ($1, 'telegram', $2)")
            .bind(staff)
            .bind(chat.to_string())
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "update customer_metrics set last_visit_date = date '2025-11-20' - 90 where owner_id = $1",
    )
    .bind(CARLOS)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("delete from appointments where owner_id = $1 and status = 'scheduled'")
        .bind(CARLOS)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "update pets set birth_date = date '2021-11-20'
          where id = (select min(id) from pets where owner_id = $1 and deceased_on is null)",
    )
    .bind(ROBERTO)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into consent_events (owner_id, channel, purpose, granted, source)
         values ($1, 'whatsapp', 'marketing', true, 'test')",
    )
    .bind(ROBERTO)
    .execute(pool)
    .await
    .unwrap();
}

/// Photos sent to `chat`.
fn photos_to(app: &ServeApp, chat: i64) -> Vec<Recorded> {
    let sent = app.telegram.requests_for("sendPhoto").into_iter();
    sent.filter(|r| r.body["chat_id"] == chat).collect()
}

/// Lets the morning job look at the clock a few times (it looks every 100 ms).
async fn a_few_looks() {
    tokio::time::sleep(Duration::from_millis(700)).await;
}

async fn say(app: &ServeApp, update_id: i64, chat: i64, text: &str, expect: &str) -> String {
    let update = p::telegram_text_update(update_id, chat, text);
    assert_eq!(app.post_telegram(&update).await, 200);
    let reply = app.telegram_message(expect).await;
    reply.body["text"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_digest_comes_at_the_owners_time_once_a_day_and_not_when_off() {
    // Arrange: 07:00 in Cancún; Dr. Pablo moves his digest to 08:00 from the chat.
    let clock = SendClock::manual(cancun(0, 7, 0));
    let app = ServeApp::start_with(options(&clock)).await;
    arrange(&app).await;
    let card = say(
        &app,
        10,
        TG_STAFF,
        "manda el resumen a las 8",
        "Listo: tu resumen",
    )
    .await;
    assert!(
        card.contains("llegará a las 8:00 (hora de la clínica)"),
        "{card}"
    );
    // Act + Assert: not at 07:59.
    clock.set(cancun(0, 7, 59));
    a_few_looks().await;
    assert!(photos_to(&app, TG_STAFF).is_empty(), "nothing before 08:00");
    // At 08:00: one photo, the digest as its caption.
    clock.set(cancun(0, 8, 0));
    let photo = eventually("the digest", || {
        std::future::ready(photos_to(&app, TG_STAFF).into_iter().next())
    })
    .await;
    app.all_processed().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let caption = photo.body["caption"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(caption.contains("Buenos días"), "{caption}");
    assert!(caption.chars().count() <= 1024, "{caption}");
    assert_eq!(photo.files.len(), 1);
    assert_eq!(photo.files[0].file_name, "grafica.png");
    // The rest of the digest, if any, follows as text: at most 4 messages in all.
    let after: Vec<String> = app
        .telegram
        .requests_for("sendMessage")
        .into_iter()
        .filter(|r| r.body["chat_id"] == TG_STAFF && r.at >= photo.at)
        .map(|r| r.body["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(after.len() <= 3, "{after:?}");
    let digest = std::iter::once(caption.clone())
        .chain(after)
        .collect::<Vec<_>>()
        .join("\n");
    let line = |needle: &str| {
        digest
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {digest}"))
            .to_string()
    };
    let at_risk = line("Nuevos en riesgo");
    assert!(at_risk.contains("Carlos Méndez"), "{at_risk}");
    assert!(at_risk.contains("/riesgo"), "{at_risk}");
    let birthdays = line("Cumpleaños por aprobar hoy");
    let id: i64 = app
        .scalar_i64(
            "select id from marketing_campaigns where kind = 'birthday'
              and target_segment ->> 'audience' = 'cumpleaños 2025-11-20'",
        )
        .await;
    assert!(
        birthdays.contains(&format!("responde «enviar campaña {id}»")),
        "{birthdays}"
    );
    // Not twice: later that morning, nor after a restart just past 08:00.
    clock.set(cancun(0, 8, 30));
    a_few_looks().await;
    assert_eq!(photos_to(&app, TG_STAFF).len(), 1);
    let (db, telegram, whatsapp) = app.stop().await;
    let clock = SendClock::manual(cancun(0, 8, 5));
    let app = ServeApp::start_on(db, telegram, whatsapp, options(&clock)).await;
    a_few_looks().await;
    assert_eq!(
        photos_to(&app, TG_STAFF).len(),
        1,
        "a restart sends it once"
    );
    // The next day at 08:00 (not at 07:59).
    clock.set(cancun(1, 7, 59));
    a_few_looks().await;
    assert_eq!(photos_to(&app, TG_STAFF).len(), 1);
    clock.set(cancun(1, 8, 0));
    eventually("the next day's digest", || {
        std::future::ready((photos_to(&app, TG_STAFF).len() == 2).then_some(()))
    })
    .await;
    // Turned off: nothing the day after.
    let off = say(
        &app,
        11,
        TG_STAFF,
        "desactiva el resumen",
        "desactivé tu resumen",
    )
    .await;
    assert!(off.contains("«activa el resumen»"), "{off}");
    clock.set(cancun(2, 8, 0));
    a_few_looks().await;
    clock.set(cancun(2, 10, 0));
    a_few_looks().await;
    assert_eq!(photos_to(&app, TG_STAFF).len(), 2, "off: no digest");
    // Lupita never got one.
    assert!(photos_to(&app, TG_LUPITA).is_empty());
}

#[tokio::test]
async fn staff_cannot_set_the_digest_and_an_english_owner_gets_it_in_english() {
    // Arrange
    let clock = SendClock::manual(cancun(0, 7, 0));
    let app = ServeApp::start_with(options(&clock)).await;
    arrange(&app).await;
    // Act
    let reply = say(
        &app,
        20,
        TG_LUPITA,
        "manda el resumen a las 7",
        "No tienes permiso",
    )
    .await;
    // Assert
    assert!(
        reply.contains("No tienes permiso para configurar el resumen de la mañana"),
        "{reply}"
    );
    let stored = app
        .scalar_i64("select count(*) from owner_digests where staff_id = 2")
        .await;
    assert_eq!(stored, 0);
    // Dr. Pablo's default 09:00 still holds, in his language (English here: the chart is
    // `chart.png`); Lupita gets nothing.
    sqlx::query("update staff set language = 'en' where id = 1")
        .execute(&app.db.pool)
        .await
        .unwrap();
    clock.set(cancun(0, 9, 0));
    let photo = eventually("Dr. Pablo's digest at 09:00", || {
        std::future::ready(photos_to(&app, TG_STAFF).into_iter().next())
    })
    .await;
    let caption = photo.body["caption"].as_str().unwrap_or_default();
    assert!(caption.contains("Good morning"), "{caption}");
    assert_eq!(photo.files[0].file_name, "chart.png");
    assert!(photos_to(&app, TG_LUPITA).is_empty());
}
