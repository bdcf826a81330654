//! Consent on the clinic's channels (issue 12): clients' BAJA / ALTA on WhatsApp, WhatsApp's
//! own stop / resume (`user_preferences`), replies to a campaign, and clients linking their
//! Telegram chat with a start link staff ask for. Over the fake WhatsApp and Telegram servers.

use super::*;

const CLINIC: &str = "Clínica Veterinaria Coral";
const BOT: &str = "VetCoralBot";
const STAFF_GROUP: i64 = -1_009_876_543_210;
/// María García (owner 1; WhatsApp marketing consent on record), as Meta writes her number.
const MARIA: &str = "5219981234567";
/// Carlos Méndez (owner 2).
const CARLOS: &str = "5219982345678";
/// Valeria Mendoza, a new client with no consent on record.
const VALERIA: &str = "5219982348765";
/// A client's own Telegram account (not staff).
const CLIENT_TG: i64 = 777_000_001;

fn options() -> Options {
    Options {
        extra: vec![
            ("CLINIC_NAME", CLINIC.into()),
            ("CLINIC_STAFF_CHAT", STAFF_GROUP.to_string()),
            ("TELEGRAM_BOT_USERNAME", BOT.into()),
        ],
        ..Options::default()
    }
}

/// The newest marketing consent of `owner` on `channel`: (granted, source).
async fn consent(app: &ServeApp, owner: i64, channel: &str) -> Option<(bool, String)> {
    sqlx::query_as(
        "select granted, source from consent_events
          where owner_id = $1 and channel = $2 and purpose = 'marketing'
          order by recorded_at desc, id desc limit 1",
    )
    .bind(owner)
    .bind(channel)
    .fetch_optional(&app.db.pool)
    .await
    .unwrap()
}

async fn owner_id(app: &ServeApp, name: &str) -> i64 {
    sqlx::query_scalar("select id from owners where full_name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// WhatsApp texts sent to `to`.
fn texts_to(app: &ServeApp, to: &str) -> Vec<String> {
    let requests = app.whatsapp.requests().into_iter();
    requests
        .filter(|r| r.body["to"] == to && r.body["type"] == "text")
        .map(|r| {
            r.body
                .pointer("/text/body")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The Telegram messages sent to `chat`.
fn telegram_to(app: &ServeApp, chat: i64) -> Vec<Recorded> {
    let requests = app.telegram.requests_for("sendMessage").into_iter();
    requests.filter(|r| r.body["chat_id"] == chat).collect()
}

fn text_of(r: &Recorded) -> String {
    r.body["text"].as_str().unwrap_or_default().to_string()
}

/// Waits for a Telegram message to `chat` containing `needle`.
async fn telegram_message_to(app: &ServeApp, chat: i64, needle: &str) -> Recorded {
    eventually(&format!("a message to {chat} with {needle:?}"), || {
        let found = telegram_to(app, chat)
            .into_iter()
            .find(|r| text_of(r).contains(needle));
        std::future::ready(found)
    })
    .await
}

#[tokio::test]
async fn baja_is_recorded_confirmed_naming_the_clinic_and_told_to_staff_and_alta_resumes() {
    let app = ServeApp::start_with(options()).await;
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((true, "demo".into()))
    );
    // Act: María writes "BAJA" (any case, spaces, a full stop).
    let baja = p::whatsapp_text("wamid.K1", MARIA, "María", "  Baja. ");
    assert_eq!(app.post_whatsapp(&baja).await, 200);
    // Assert: recorded, confirmed to her naming the clinic and how to come back, and staff
    // told in the forward.
    let confirmed = app.whatsapp_message("ya no te enviará promociones").await;
    assert_eq!(confirmed.body["to"], MARIA);
    let text = confirmed.body["text"]["body"].as_str().unwrap().to_string();
    assert!(text.contains(CLINIC) && text.contains("ALTA"), "{text}");
    let forward = app
        .telegram_message("Pidió no recibir más promociones")
        .await;
    assert_eq!(forward.body["chat_id"], STAFF_GROUP);
    assert!(
        text_of(&forward).contains("María García"),
        "{}",
        text_of(&forward)
    );
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((false, "keyword".into()))
    );
    let legacy: bool =
        sqlx::query_scalar("select marketing_opt_in from owner_profiles where owner_id = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(!legacy, "the old flag follows the opt-out");
    // ALTA: she had consent before, so it comes back, and she is told how to stop.
    let alta = p::whatsapp_text("wamid.K2", MARIA, "María", "ALTA");
    assert_eq!(app.post_whatsapp(&alta).await, 200);
    let back = app.whatsapp_message("volverá a enviarte promociones").await;
    assert!(back.body["text"]["body"].as_str().unwrap().contains("BAJA"));
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((true, "keyword".into()))
    );
    assert_eq!(
        texts_to(&app, MARIA).len(),
        2,
        "one answer per keyword, nothing else"
    );
    // The other keywords stop too; a sentence with one in it does not.
    for (i, word) in ["STOP", "alto!", "Cancelar", "unsubscribe"]
        .iter()
        .enumerate()
    {
        let alta = p::whatsapp_text(&format!("wamid.KA{i}"), MARIA, "María", "alta");
        assert_eq!(app.post_whatsapp(&alta).await, 200);
        let stop = p::whatsapp_text(&format!("wamid.KS{i}"), MARIA, "María", word);
        assert_eq!(app.post_whatsapp(&stop).await, 200);
        app.all_processed().await;
        assert_eq!(
            consent(&app, 1, "whatsapp").await,
            Some((false, "keyword".into())),
            "{word}"
        );
    }
    let sentence = p::whatsapp_text(
        "wamid.K9",
        MARIA,
        "María",
        "alta la dosis? no me den de baja",
    );
    assert_eq!(app.post_whatsapp(&sentence).await, 200);
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((false, "keyword".into()))
    );
}

#[tokio::test]
async fn alta_from_a_client_who_never_consented_grants_nothing_and_is_only_forwarded() {
    let app = ServeApp::start_with(options()).await;
    let valeria = owner_id(&app, "Valeria Mendoza").await;
    assert_eq!(
        consent(&app, valeria, "whatsapp").await,
        None,
        "the demo's client without consent"
    );
    let alta = p::whatsapp_text("wamid.V1", VALERIA, "Valeria", "ALTA");
    assert_eq!(app.post_whatsapp(&alta).await, 200);
    let forward = app.telegram_message("«ALTA»").await;
    assert!(text_of(&forward).contains("Valeria Mendoza"));
    app.all_processed().await;
    assert_eq!(consent(&app, valeria, "whatsapp").await, None);
    assert!(
        texts_to(&app, VALERIA).is_empty(),
        "{:?}",
        texts_to(&app, VALERIA)
    );
}

#[tokio::test]
async fn a_reply_to_a_campaign_is_counted_on_it_and_the_forward_names_it() {
    let app = ServeApp::start_with(options()).await;
    let carlos = owner_id(&app, "Carlos Méndez").await;
    let campaign: i64 = sqlx::query_scalar(
        "insert into marketing_campaigns (name, campaign_type, status, body, kind, sent_at)
         values ('Reactivación noviembre', 'whatsapp', 'sent', 'Hola {nombre}', 'reactivation', now() - interval '1 day')
         returning id",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into campaign_recipients (campaign_id, owner_id, role, channel, chat_id, status, sent_at, platform_message_id)
         values ($1, $2, 'target', 'whatsapp', $3, 'delivered', now() - interval '1 day', 'wamid.CAMP1');
         ",
    )
    .bind(campaign)
    .bind(carlos)
    .bind(CARLOS)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into communications (owner_id, direction, channel, campaign_id, body, status, platform_message_id, sent_at)
         values ($1, 'outbound', 'whatsapp', $2, 'Hola Carlos', 'delivered', 'wamid.CAMP1', now() - interval '1 day')",
    )
    .bind(carlos)
    .bind(campaign)
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Act
    let reply = p::whatsapp_text(
        "wamid.R1",
        CARLOS,
        "Carlos",
        "¡Sí! ¿Tienen cita el sábado para Buddy?",
    );
    assert_eq!(app.post_whatsapp(&reply).await, 200);
    // Assert
    let forward = app
        .telegram_message("Responde a la campaña «Reactivación noviembre»")
        .await;
    assert!(text_of(&forward).contains("Carlos Méndez"));
    app.all_processed().await;
    let (replied, opted_out): (bool, bool) = sqlx::query_as(
        "select replied_at is not null, opted_out_at is not null from campaign_recipients
          where campaign_id = $1 and owner_id = $2",
    )
    .bind(campaign)
    .bind(carlos)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(replied && !opted_out);
    let communication_replied: bool = sqlx::query_scalar(
        "select replied_at is not null from communications where platform_message_id = 'wamid.CAMP1'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(communication_replied);
    // A BAJA after the campaign is the campaign's opt-out.
    let baja = p::whatsapp_text("wamid.R2", CARLOS, "Carlos", "BAJA");
    assert_eq!(app.post_whatsapp(&baja).await, 200);
    app.whatsapp_message("ya no te enviará promociones").await;
    app.all_processed().await;
    let opted_out: bool = sqlx::query_scalar(
        "select opted_out_at is not null from campaign_recipients where campaign_id = $1 and owner_id = $2",
    )
    .bind(campaign)
    .bind(carlos)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(opted_out);
}

#[tokio::test]
async fn whatsapps_own_stop_and_resume_are_recorded_once_at_the_platforms_time() {
    let app = ServeApp::start_with(options()).await;
    let stop = p::whatsapp_user_preferences(MARIA, "María", "stop", p::DATE);
    // Meta redelivers: recorded once.
    for _ in 0..3 {
        assert_eq!(app.post_whatsapp(&stop).await, 200);
    }
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((false, "platform".into()))
    );
    let rows: i64 = sqlx::query_scalar(
        "select count(*) from consent_events where owner_id = 1 and source = 'platform'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1);
    let at: i64 = sqlx::query_scalar(
        "select extract(epoch from recorded_at)::bigint from consent_events where owner_id = 1 and source = 'platform'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(at, p::DATE);
    let resume = p::whatsapp_user_preferences(MARIA, "María", "resume", p::DATE + 3600);
    assert_eq!(app.post_whatsapp(&resume).await, 200);
    assert_eq!(
        consent(&app, 1, "whatsapp").await,
        Some((true, "platform".into()))
    );
    // A number that is nobody's is acknowledged and dropped; nothing is sent to anyone.
    let stranger = p::whatsapp_user_preferences("5219990000000", "X", "stop", p::DATE);
    assert_eq!(app.post_whatsapp(&stranger).await, 200);
    assert!(app.whatsapp.requests().is_empty());
}

/// Staff asks for María's link on Telegram; returns the token.
async fn link_for_maria(app: &ServeApp) -> String {
    app.link_telegram_staff().await;
    let ask = p::telegram_text_update(10, TG_STAFF, "enlace de Telegram para María García");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let card = app
        .telegram_message(&format!("https://t.me/{BOT}?start="))
        .await;
    let text = text_of(&card);
    let at = text.find("?start=").unwrap() + "?start=".len();
    text[at..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

#[tokio::test]
async fn a_start_link_links_the_clients_telegram_chat_and_asks_for_consent_once() {
    let app = ServeApp::start_with(options()).await;
    let token = link_for_maria(&app).await;
    assert_eq!(token.len(), 26, "{token}");
    // The token is stored hashed only.
    let plain: i64 = sqlx::query_scalar("select count(*) from client_link_tokens where token = $1")
        .bind(&token)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(plain, 0);
    // Act: María opens it.
    let start = p::telegram_text_update(20, CLIENT_TG, &format!("/start {token}"));
    assert_eq!(app.post_telegram(&start).await, 200);
    // Assert: welcomed by name, the clinic named, asked with Sí / No.
    let welcome = telegram_message_to(&app, CLIENT_TG, "¡Hola, María!").await;
    assert!(text_of(&welcome).contains(CLINIC), "{}", text_of(&welcome));
    let rows = welcome.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap();
    let buttons: Vec<String> = rows
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter())
        .map(|b| b["callback_data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(buttons, ["consent:telegram:y", "consent:telegram:n"]);
    let linked: i64 = sqlx::query_scalar(
        "select owner_id from client_chats where channel = 'telegram' and chat_id = $1",
    )
    .bind(CLIENT_TG.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(linked, 1);
    assert_eq!(
        consent(&app, 1, "telegram").await,
        None,
        "linking is not consenting"
    );
    // She taps Sí (twice: one record).
    for update in [21, 22] {
        let yes = p::telegram_callback_update(
            update,
            CLIENT_TG,
            &format!("cb{update}"),
            "consent:telegram:y",
        );
        assert_eq!(app.post_telegram(&yes).await, 200);
    }
    telegram_message_to(&app, CLIENT_TG, "¡Gracias!").await;
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "telegram").await,
        Some((true, "telegram_start".into()))
    );
    let rows: i64 = sqlx::query_scalar(
        "select count(*) from consent_events where owner_id = 1 and channel = 'telegram'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1);
    // The same link again, from someone else: a neutral answer, nothing linked, no data.
    let again = p::telegram_text_update(23, 777_000_002, &format!("/start {token}"));
    assert_eq!(app.post_telegram(&again).await, 200);
    let used = telegram_message_to(&app, 777_000_002, "ya no es válido").await;
    assert!(!text_of(&used).contains("María"), "{}", text_of(&used));
    let unknown = p::telegram_text_update(24, 777_000_003, "/start ABCDEFGHJKMNPQRSTUVWXYZ234");
    assert_eq!(app.post_telegram(&unknown).await, 200);
    telegram_message_to(&app, 777_000_003, "ya no es válido").await;
    app.all_processed().await;
    let chats: i64 = sqlx::query_scalar("select count(*) from client_chats")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(chats, 1);
    // Anything else she writes is refused like any stranger's message; BAJA is honoured.
    let hola = p::telegram_text_update(25, CLIENT_TG, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&hola).await, 200);
    telegram_message_to(&app, CLIENT_TG, "solo para el personal").await;
    let baja = p::telegram_text_update(26, CLIENT_TG, "BAJA");
    assert_eq!(app.post_telegram(&baja).await, 200);
    let out =
        telegram_message_to(&app, CLIENT_TG, "ya no te enviará promociones por Telegram").await;
    assert!(text_of(&out).contains(CLINIC));
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "telegram").await,
        Some((false, "keyword".into()))
    );
    // No message to her holds CRM data (the card's figures, phone, pets).
    for message in telegram_to(&app, CLIENT_TG) {
        let text = text_of(&message);
        assert!(
            !text.contains("998") && !text.contains("$") && !text.contains("Max"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_typed_no_answers_the_question_and_the_card_shows_the_linked_chat_without_consent() {
    let app = ServeApp::start_with(options()).await;
    let token = link_for_maria(&app).await;
    let start = p::telegram_text_update(20, CLIENT_TG, &format!("/start {token}"));
    assert_eq!(app.post_telegram(&start).await, 200);
    telegram_message_to(&app, CLIENT_TG, "¡Hola, María!").await;
    let no = p::telegram_text_update(21, CLIENT_TG, "no");
    assert_eq!(app.post_telegram(&no).await, 200);
    telegram_message_to(&app, CLIENT_TG, "no te enviará promociones por aquí").await;
    app.all_processed().await;
    assert_eq!(
        consent(&app, 1, "telegram").await,
        Some((false, "telegram_start".into()))
    );
    // Staff see it on María's card.
    let ask = p::telegram_text_update(30, TG_STAFF, "perfil maria garcia");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let card = app
        .telegram_message("📣 Promociones: WhatsApp sí · Telegram no")
        .await;
    assert_eq!(card.body["chat_id"], TG_STAFF);
}
