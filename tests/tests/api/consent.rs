//! Recording consent from the chat (issue 12): staff say what a client told them ("María
//! García acepta mensajes por WhatsApp", "Carlos no quiere promociones", "… consent WhatsApp
//! marketing") and the command brain records it with who, when and how through the
//! `record_consent` tool, for any staff role; the profile card shows consent per channel
//! when it warns; the demo clinic's consent is what the marketing flow needs.

use bot::brain::engine::{Engine, Incoming};
use bot::render::Markup;
use serde_json::json;
use tests::tools::{call, card};
use tests::TestDb;

use crate::engine::ask;

/// The newest marketing consent of `owner` per channel: (channel, granted, source, note, by).
async fn consents(db: &TestDb, owner: i64) -> Vec<(String, bool, String, String, Option<i64>)> {
    sqlx::query_as(
        "select distinct on (channel) channel, granted, source, note, recorded_by
           from consent_events where owner_id = $1 and purpose = 'marketing'
          order by channel, recorded_at desc, id desc",
    )
    .bind(owner)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn owner_id(db: &TestDb, name: &str) -> i64 {
    sqlx::query_scalar("select id from owners where full_name = $1")
        .bind(name)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_phrases_record_consent_for_the_client_they_name() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let valeria = owner_id(&db, "Valeria Mendoza").await;
    assert!(consents(&db, valeria).await.is_empty());
    // A grant, by name and channel.
    let reply = ask(&engine, "Valeria Mendoza acepta mensajes por WhatsApp").await;
    assert!(
        reply.contains("**Valeria Mendoza** acepta promociones por WhatsApp."),
        "{reply}"
    );
    assert!(
        reply.contains("Quedó registrado. Ahora: WhatsApp sí"),
        "{reply}"
    );
    assert_eq!(
        consents(&db, valeria).await,
        [(
            "whatsapp".into(),
            true,
            "staff".into(),
            String::new(),
            Some(1)
        )]
    );
    // Said again: nothing new.
    let again = ask(&engine, "Valeria Mendoza acepta mensajes por WhatsApp").await;
    assert!(again.contains("Ya estaba registrado así"), "{again}");
    let rows: i64 = sqlx::query_scalar("select count(*) from consent_events where owner_id = $1")
        .bind(valeria)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // A refusal that names no channel: every channel with consent, and WhatsApp.
    let carlos = owner_id(&db, "Carlos Méndez").await;
    let reply = ask(&engine, "Carlos no quiere promociones").await;
    assert!(
        reply.contains("**Carlos Méndez** no quiere promociones por ningún medio."),
        "{reply}"
    );
    let now = consents(&db, carlos).await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!((now[0].0.as_str(), now[0].1), ("whatsapp", false));
    // English, with the card's client.
    let sarah = owner_id(&db, "Sarah Johnson").await;
    let reply = ask(&engine, "María García consent WhatsApp marketing").await;
    assert!(reply.contains("María García"), "{reply}");
    ask(&engine, "Cuéntame sobre Sarah Johnson").await;
    let reply = ask(&engine, "she doesn't want marketing messages").await;
    assert!(
        reply.contains("Sarah Johnson") && reply.contains("any channel"),
        "{reply}"
    );
    assert!(!consents(&db, sarah).await[0].1);
    // A question changes nothing.
    let before: i64 = sqlx::query_scalar("select count(*) from consent_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let answer = ask(&engine, "¿Roberto Sánchez acepta promociones?").await;
    assert!(
        answer.starts_with("Promociones para Roberto Sánchez: WhatsApp sí"),
        "{answer}"
    );
    let after: i64 = sqlx::query_scalar("select count(*) from consent_events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn any_staff_member_may_record_consent_with_how_the_client_gave_it() {
    let db = TestDb::demo().await;
    sqlx::query("insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', '700002')")
        .execute(&db.pool)
        .await
        .unwrap();
    let engine = Engine::new(db.pool.clone(), None);
    let msg = Incoming {
        channel: "telegram".into(),
        chat_id: "700002".into(),
        sender_id: "700002".into(),
        text: "Diego Ramírez acepta promociones por telegram".into(),
    };
    let reply = engine
        .handle(&msg)
        .await
        .unwrap()
        .reply
        .render(Markup::Plain);
    assert!(reply.contains("acepta promociones por Telegram"), "{reply}");
    let diego = owner_id(&db, "Diego Ramírez").await;
    assert_eq!(
        consents(&db, diego).await[0].4,
        Some(2),
        "recorded by Lupita (staff)"
    );
    // Through the tool (the LLM's way), with the source.
    let out = call(
        &db.pool,
        "record_consent",
        json!({"user_id": diego, "granted": true, "channel": "whatsapp", "source": "en recepción"}),
    )
    .await
    .unwrap();
    assert_eq!(out.data["recorded"], true);
    let whatsapp = consents(&db, diego)
        .await
        .into_iter()
        .find(|c| c.0 == "whatsapp")
        .unwrap();
    assert_eq!((whatsapp.1, whatsapp.3.as_str()), (true, "en recepción"));
    for bad in [
        json!({"user_id": diego, "granted": true, "channel": "paloma"}),
        json!({"user_id": diego, "granted": true, "channel": "all"}),
        json!({"user_id": diego, "granted": true, "source": "x".repeat(201)}),
        json!({"user_id": 999_999, "granted": true}),
    ] {
        assert!(
            call(&db.pool, "record_consent", bad.clone()).await.is_err(),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_card_shows_consent_per_channel_when_it_warns_and_marias_stays_the_storys() {
    let db = TestDb::demo().await;
    let card_of = |name: &'static str, lang| {
        let pool = db.pool.clone();
        async move {
            let id: i64 = sqlx::query_scalar("select id from owners where full_name = $1")
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap();
            card(&pool, lang, "get_owner_profile", json!({"user_id": id})).await
        }
    };
    use bot::domain::Lang;
    let maria = card_of("María García", Lang::Es).await;
    assert!(!maria.contains("📣"), "{maria}");
    let valeria = card_of("Valeria Mendoza", Lang::Es).await;
    assert!(
        valeria.contains("📣 Promociones: sin permiso registrado"),
        "{valeria}"
    );
    let alejandro = card_of("Alejandro Morales", Lang::En).await;
    assert!(
        alejandro.contains("📣 Marketing: WhatsApp no ("),
        "{alejandro}"
    );
    let out = call(&db.pool, "get_owner_profile", json!({"user_id": 1}))
        .await
        .unwrap();
    assert_eq!(out.data["consent"][0]["channel"], "whatsapp");
    assert_eq!(out.data["consent"][0]["granted"], true);
}

#[tokio::test]
async fn a_telegram_link_needs_a_configured_bot() {
    let db = TestDb::demo().await;
    let engine = Engine::new(db.pool.clone(), None);
    let reply = ask(&engine, "enlace de Telegram para María García").await;
    assert!(reply.contains("TELEGRAM_BOT_USERNAME"), "{reply}");
    let engine = engine.with_telegram_bot(Some("VetCoralBot".into()));
    let reply = ask(&engine, "/enlace maria garcia").await;
    assert!(reply.contains("https://t.me/VetCoralBot?start="), "{reply}");
    let tokens: i64 =
        sqlx::query_scalar("select count(*) from client_link_tokens where owner_id = 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(tokens, 1);
}

#[tokio::test]
async fn the_demo_clinic_records_consent_for_most_clients() {
    let db = TestDb::demo().await;
    let (owners, granted, none, refused): (i64, i64, i64, i64) = sqlx::query_as(
        "with now as (select distinct on (owner_id) owner_id, granted from consent_events
                       where channel = 'whatsapp' and purpose = 'marketing'
                       order by owner_id, recorded_at desc, id desc)
         select (select count(*) from owners),
                (select count(*) from now where granted),
                (select count(*) from owners o where not exists (select 1 from now where owner_id = o.id)),
                (select count(*) from now where not granted)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(granted * 10 >= owners * 8, "{granted} of {owners}");
    assert_eq!((none, refused), (3, 1));
    let refused_by: String = sqlx::query_scalar(
        "select o.full_name from consent_events e join owners o on o.id = e.owner_id where not e.granted",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        refused_by, "Alejandro Morales",
        "the demo's opted-out client"
    );
    // The story's at-risk clients can be messaged; the recently deceased pet's owner has
    // consent, so what keeps him out of a campaign is the loss, not a missing consent.
    for name in [
        "Carlos Méndez",
        "Roberto Sánchez",
        "Sarah Johnson",
        "Jorge Vargas",
    ] {
        let id = owner_id(&db, name).await;
        assert!(consents(&db, id).await[0].1, "{name}");
    }
    let died: chrono::NaiveDate = sqlx::query_scalar(
        "select p.deceased_on from pets p join owners o on o.id = p.owner_id where o.full_name = 'Jorge Vargas'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let days = (bot::demo::story_today() - died).num_days();
    assert!(
        (30..=90).contains(&days),
        "died {days} days before the demo's today"
    );
}
