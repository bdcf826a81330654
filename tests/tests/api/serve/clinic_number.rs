//! The clinic's number (issue 18, items 1-2): clients' WhatsApp messages are forwarded to
//! the owners' private chats and the staff group with buttons; unknown numbers get the
//! auto-reply once a day and never the staff refusal; staff answer with Responder or by
//! replying to the forward, inside WhatsApp's 24-hour window only, once per staff message;
//! the other recipients are told who answered.

use super::*;

/// Two owners on Telegram (their user ids = private chat ids) and the staff group.
pub(super) const OWNER_A: i64 = 555_000_201;
const OWNER_B: i64 = 555_000_202;
const STAFF_GROUP: i64 = -1_009_876_543_210;
/// María García (owner 1 of the demo clinic, pets Max and Luna), as Meta writes her number.
pub(super) const MARIA: &str = "5219981234567";
const TEMPLATE: &str = "seguimiento_cliente";

pub(super) fn clinic_options() -> Options {
    Options {
        extra: vec![
            ("CLINIC_STAFF_CHAT", STAFF_GROUP.to_string()),
            ("CLINIC_HOURS", "lun-sáb 9:00-19:00".into()),
            ("CLINIC_PHONE", "998 871 0000".into()),
            ("CLINIC_REPLY_TEMPLATE", TEMPLATE.into()),
        ],
        ..Options::default()
    }
}

/// Links Telegram user `user` as an owner named `name`.
pub(super) async fn link_owner(app: &ServeApp, user: i64, name: &str, update_id: i64) {
    let ttl = chrono::Duration::hours(1);
    let (_, code) = bot::staff::invite(&app.db.pool, name, "owner", "es", ttl)
        .await
        .expect("invite");
    let update = p::telegram_text_update(update_id, user, &format!("/start {code}"));
    assert_eq!(app.post_telegram(&update).await, 200);
    app.telegram_message(&format!("¡Hola, {name}!")).await;
}

/// sendMessage calls to `chat` whose text contains `needle`.
fn sent_to(app: &ServeApp, chat: i64, needle: &str) -> Vec<Recorded> {
    let requests = app.telegram.requests_for("sendMessage").into_iter();
    requests
        .filter(|r| r.body["chat_id"] == chat)
        .filter(|r| r.body["text"].as_str().unwrap_or_default().contains(needle))
        .collect()
}

/// Waits for a sendMessage to `chat` containing `needle`.
pub(super) async fn telegram_to(app: &ServeApp, chat: i64, needle: &str) -> Recorded {
    eventually(&format!("a message to {chat} with {needle:?}"), || {
        std::future::ready(sent_to(app, chat, needle).into_iter().next())
    })
    .await
}

/// WhatsApp text messages sent to `to`.
fn whatsapp_to(app: &ServeApp, to: &str) -> Vec<String> {
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

/// The callback data of a Telegram message's inline buttons, and their labels.
pub(super) fn buttons(message: &Recorded) -> Vec<(String, String)> {
    let rows = message.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            let field = |k: &str| b[k].as_str().unwrap_or_default().to_string();
            (field("callback_data"), field("text"))
        })
        .collect()
}

/// The Telegram message id of the forward `forward_id` in `chat`, once sent.
async fn forward_message_id(app: &ServeApp, forward_id: i64, chat: i64) -> i64 {
    let sql = format!(
        "select coalesce((select (o.platform_ids ->> -1)::bigint
            from client_forward_copies c join outbox o on o.id = c.outbox_id
           where c.forward_id = {forward_id} and c.chat_id = '{chat}' and o.status = 'sent'), 0)"
    );
    eventually("the forward to be sent", || async {
        let id = app.scalar_i64(&sql).await;
        (id != 0).then_some(id)
    })
    .await
}

/// A text from `user` in their private chat that replies to bot message `quoted`.
fn telegram_reply(update_id: i64, user: i64, quoted: i64, text: &str) -> Value {
    let mut update = p::telegram_text_update(update_id, user, text);
    update["message"]["reply_to_message"] = p::telegram_bot_message(quoted, user, "📩 …");
    update
}

#[tokio::test]
async fn a_clients_message_is_forwarded_to_the_owners_and_the_staff_group_with_buttons() {
    // Arrange: two owners and a (non-owner) staff member linked on Telegram.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    link_owner(&app, OWNER_B, "Ana Torres", 2).await;
    app.link_telegram_staff().await;
    // Act: María asks, then sends a photo.
    let question = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    let photo = json!({"from": MARIA, "id": "wamid.M2", "timestamp": p::DATE.to_string(),
        "type": "image", "image": {"caption": "le salió esto a Max", "mime_type": "image/jpeg",
        "sha256": "2f1d…", "id": "1146289173402937"}});
    let photo = p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(MARIA, "María")],
        vec![photo],
        vec![],
    ));
    assert_eq!(app.post_whatsapp(&photo).await, 200);
    // Assert: each owner and the group get both, with who wrote, the pets and the buttons.
    for chat in [OWNER_A, OWNER_B, STAFF_GROUP] {
        let forward = telegram_to(&app, chat, "¿tienen cita el sábado?").await;
        let text = forward.body["text"].as_str().unwrap_or_default();
        assert!(text.contains("<b>María García</b>"), "{text}");
        assert!(text.contains("Max"), "{text}");
        let labels: Vec<String> = buttons(&forward).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["Responder", "Ver perfil"]);
        let media = telegram_to(&app, chat, "📷 Foto").await;
        assert!(media.body["text"]
            .as_str()
            .unwrap_or_default()
            .contains("le salió esto a Max"));
    }
    app.all_processed().await;
    assert!(
        sent_to(&app, TG_STAFF, "María").is_empty(),
        "staff who are not owners"
    );
    let media_id = app
        .scalar_i64(
            "select count(*) from client_forwards
              where media ->> 'id' = '1146289173402937' and media ->> 'type' = 'image'",
        )
        .await;
    assert_eq!(media_id, 1);
    let recorded = app
        .scalar_i64(
            "select count(*) from communications
              where owner_id = 1 and direction = 'inbound' and platform_message_id like 'wamid.M%'",
        )
        .await;
    assert_eq!(recorded, 2);
    assert!(
        whatsapp_to(&app, MARIA).is_empty(),
        "the client got nothing"
    );
}

#[tokio::test]
async fn unknown_numbers_get_the_auto_reply_once_a_day_and_never_the_refusal() {
    // Arrange
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let stranger = "5219990001234";
    // Act: two messages and a voice note from a number the clinic does not know.
    for (wamid, text) in [
        ("wamid.U1", "hola, ¿venden croquetas?"),
        ("wamid.U2", "¿hola?"),
    ] {
        let message = p::whatsapp_text(wamid, stranger, "Rosa", text);
        assert_eq!(app.post_whatsapp(&message).await, 200);
        app.all_processed().await;
    }
    let voice = json!({"from": stranger, "id": "wamid.U3", "timestamp": p::DATE.to_string(),
        "type": "audio", "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "a1b2",
        "id": "1203993371234567", "voice": true}});
    let voice = p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(stranger, "Rosa")],
        vec![voice],
        vec![],
    ));
    assert_eq!(app.post_whatsapp(&voice).await, 200);
    // Assert: every message reaches the owner, the number is answered once, kindly.
    let forward = telegram_to(&app, OWNER_A, "¿venden croquetas?").await;
    let text = forward.body["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("+529990001234") && text.contains("no es cliente"),
        "{text}"
    );
    assert!(text.contains("Rosa"), "{text}");
    let labels: Vec<String> = buttons(&forward).into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels, ["Responder", "Crear cliente"]);
    telegram_to(&app, OWNER_A, "¿hola?").await;
    telegram_to(&app, OWNER_A, "🎤 Nota de voz").await;
    app.all_processed().await;
    eventually("the auto-reply to be sent", || {
        std::future::ready((!whatsapp_to(&app, stranger).is_empty()).then_some(()))
    })
    .await;
    let answers = whatsapp_to(&app, stranger);
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(
        answers[0].contains("Horario: lun-sáb 9:00-19:00"),
        "{answers:?}"
    );
    assert!(answers[0].contains("998 871 0000"), "{answers:?}");
    let texts = app.whatsapp.sent_texts();
    assert!(
        !texts.iter().any(|t| t.contains("solo para el personal")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_reply_by_button_inside_the_window_reaches_the_client_once_and_the_others_are_told() {
    // Arrange: María wrote; both owners got the forward.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    link_owner(&app, OWNER_B, "Ana Torres", 2).await;
    let question = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    let forward = telegram_to(&app, OWNER_A, "¿tienen cita el sábado?").await;
    let (respond, _) = buttons(&forward)
        .into_iter()
        .next()
        .expect("a Responder button");
    // Act: Pablo taps Responder and writes the answer; Telegram redelivers that update, and
    // he edits the message afterwards.
    let tap = p::telegram_callback_update(10, OWNER_A, "cb-10", &respond);
    assert_eq!(app.post_telegram(&tap).await, 200);
    telegram_to(&app, OWNER_A, "Escribe tu respuesta para María García").await;
    let answer = "Sí, el sábado a las 10:00 tenemos lugar para Max.";
    let message = p::telegram_text_update(11, OWNER_A, answer);
    assert_eq!(app.post_telegram(&message).await, 200);
    assert_eq!(app.post_telegram(&message).await, 200);
    telegram_to(&app, OWNER_A, "Enviado por WhatsApp a María García").await;
    let mut edited = p::telegram_edited_update(12, OWNER_A, "Sí, el sábado a las 11:00.");
    edited["edited_message"]["message_id"] = message["message"]["message_id"].clone();
    assert_eq!(app.post_telegram(&edited).await, 200);
    // Assert: the client got it once; Ana is told who answered; it is on María's history.
    telegram_to(&app, OWNER_B, "Pablo Ruiz respondió a María García").await;
    app.all_processed().await;
    eventually("the answer to reach WhatsApp", || {
        std::future::ready((!whatsapp_to(&app, MARIA).is_empty()).then_some(()))
    })
    .await;
    let sent = app
        .scalar_i64(
            "select count(*) from outbox where chat_id = '5219981234567' and status <> 'failed'",
        )
        .await;
    assert_eq!(sent, 1);
    assert_eq!(whatsapp_to(&app, MARIA), [answer]);
    eventually("the communication to learn its wamid", || async {
        let n = app
            .scalar_i64(
                "select count(*) from communications
                  where owner_id = 1 and direction = 'outbound' and status = 'sent'
                    and platform_message_id like 'wamid.%' and body like 'Sí, el sábado a las 10%'",
            )
            .await;
        (n == 1).then_some(())
    })
    .await;
    assert!(
        sent_to(&app, OWNER_A, "respondió a").is_empty(),
        "not told of his own answer"
    );
}

#[tokio::test]
async fn a_reply_to_the_forward_outside_the_window_is_not_sent_and_names_the_template() {
    // Arrange: María wrote 25 hours ago.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let question = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    telegram_to(&app, OWNER_A, "¿tienen cita el sábado?").await;
    let forward_id = app.scalar_i64("select max(id) from client_forwards").await;
    let quoted = forward_message_id(&app, forward_id, OWNER_A).await;
    sqlx::query("update client_forwards set received_at = now() - interval '25 hours'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Act: Pablo replies to the forward itself.
    let reply = telegram_reply(20, OWNER_A, quoted, "Sí hay lugar, ¿a qué hora le queda?");
    assert_eq!(app.post_telegram(&reply).await, 200);
    // Assert
    let warning = telegram_to(&app, OWNER_A, "No lo envié").await;
    let text = warning.body["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("24 horas") && text.contains(TEMPLATE),
        "{text}"
    );
    app.all_processed().await;
    assert!(whatsapp_to(&app, MARIA).is_empty());
    let outcome = app
        .scalar_i64("select count(*) from client_replies where outcome = 'template_needed'")
        .await;
    assert_eq!(outcome, 1);
}

#[tokio::test]
async fn a_second_staff_member_answering_by_reply_sees_who_answered_first() {
    // Arrange: María wrote; Pablo answers from his chat by replying to the forward.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    link_owner(&app, OWNER_B, "Ana Torres", 2).await;
    let question = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    telegram_to(&app, OWNER_B, "¿tienen cita el sábado?").await;
    let forward_id = app.scalar_i64("select max(id) from client_forwards").await;
    let quoted_a = forward_message_id(&app, forward_id, OWNER_A).await;
    let quoted_b = forward_message_id(&app, forward_id, OWNER_B).await;
    let first = telegram_reply(30, OWNER_A, quoted_a, "Sí, a las 10:00.");
    assert_eq!(app.post_telegram(&first).await, 200);
    // He edits it (a new update for the same message): it is not sent again.
    let mut edit = first.clone();
    edit["update_id"] = json!(33);
    edit["edited_message"] = edit["message"].take();
    edit["edited_message"]["text"] = json!("Sí, a las 10:30.");
    edit["edited_message"]["edit_date"] = json!(p::DATE + 60);
    edit.as_object_mut().unwrap().remove("message");
    assert_eq!(app.post_telegram(&edit).await, 200);
    telegram_to(&app, OWNER_A, "ya recibió tu mensaje original").await;
    // Act: Ana, who already sees Pablo's answer, taps Responder on her copy.
    telegram_to(
        &app,
        OWNER_B,
        "Pablo Ruiz respondió a María García: «Sí, a las 10:00.»",
    )
    .await;
    let tap = p::telegram_callback_update(31, OWNER_B, "cb-31", &format!("fw:{forward_id}:r"));
    assert_eq!(app.post_telegram(&tap).await, 200);
    // Assert: her prompt says it was answered, and by whom; then her own answer goes out
    // and Pablo is told.
    telegram_to(&app, OWNER_B, "Ya le respondió Pablo Ruiz").await;
    let second = telegram_reply(32, OWNER_B, quoted_b, "Y trae su cartilla, por favor.");
    assert_eq!(app.post_telegram(&second).await, 200);
    telegram_to(&app, OWNER_A, "Ana Torres respondió a María García").await;
    app.all_processed().await;
    eventually("both answers on WhatsApp", || {
        std::future::ready((whatsapp_to(&app, MARIA).len() == 2).then_some(()))
    })
    .await;
    assert_eq!(
        whatsapp_to(&app, MARIA),
        ["Sí, a las 10:00.", "Y trae su cartilla, por favor."]
    );
}

/// A message in the staff group from Telegram user `from`.
fn group_message(update_id: i64, from: i64, text: &str) -> Value {
    let chat = json!({"id": STAFF_GROUP, "type": "supergroup", "title": "Recepción"});
    json!({"update_id": update_id, "message": {"message_id": update_id + 100,
        "from": p::telegram_user(from), "chat": chat, "date": p::DATE, "text": text}})
}

#[tokio::test]
async fn in_the_staff_group_staff_answer_forwards_but_get_no_crm_data() {
    // Arrange: a staff member (not an owner) linked in private; María wrote.
    let app = ServeApp::start_with(clinic_options()).await;
    app.link_telegram_staff().await;
    let question = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    assert_eq!(app.post_whatsapp(&question).await, 200);
    telegram_to(&app, STAFF_GROUP, "¿tienen cita el sábado?").await;
    let forward_id = app.scalar_i64("select max(id) from client_forwards").await;
    let quoted = forward_message_id(&app, forward_id, STAFF_GROUP).await;
    // Act: she answers in the group by replying to the forward, taps Ver perfil there, and
    // asks for a profile there.
    let mut reply = group_message(40, TG_STAFF, "Claro, la esperamos a las 10.");
    let mut bot_message = p::telegram_bot_message(quoted, STAFF_GROUP, "📩 …");
    bot_message["chat"] = reply["message"]["chat"].clone();
    reply["message"]["reply_to_message"] = bot_message.clone();
    assert_eq!(app.post_telegram(&reply).await, 200);
    let tap = json!({"update_id": 41, "callback_query": {"id": "cb-41",
        "from": p::telegram_user(TG_STAFF), "message": bot_message,
        "chat_instance": "-5349841548926471185", "data": format!("fw:{forward_id}:p")}});
    assert_eq!(app.post_telegram(&tap).await, 200);
    let ask = group_message(42, TG_STAFF, "/perfil maria garcia");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // Assert
    telegram_to(&app, STAFF_GROUP, "Enviado por WhatsApp a María García").await;
    telegram_to(
        &app,
        STAFF_GROUP,
        "Los perfiles solo se muestran en chat privado",
    )
    .await;
    telegram_to(&app, STAFF_GROUP, "Solo respondo en chat privado.").await;
    app.all_processed().await;
    assert!(
        sent_to(&app, STAFF_GROUP, "Mascotas").is_empty(),
        "no card in the group"
    );
    eventually("the answer on WhatsApp", || {
        std::future::ready((!whatsapp_to(&app, MARIA).is_empty()).then_some(()))
    })
    .await;
    assert_eq!(whatsapp_to(&app, MARIA), ["Claro, la esperamos a las 10."]);
}

#[tokio::test]
async fn ver_perfil_shows_the_card_and_crear_cliente_makes_the_number_a_client() {
    // Arrange: María and an unknown number wrote; Pablo got both forwards.
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let stranger = "5219990004321";
    let from_maria = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    let from_stranger = p::whatsapp_text("wamid.R1", stranger, "Rosa Díaz", "¿atienden gatos?");
    assert_eq!(app.post_whatsapp(&from_maria).await, 200);
    assert_eq!(app.post_whatsapp(&from_stranger).await, 200);
    let maria = telegram_to(&app, OWNER_A, "¿tienen cita el sábado?").await;
    let rosa = telegram_to(&app, OWNER_A, "¿atienden gatos?").await;
    let (profile, _) = buttons(&maria).into_iter().nth(1).expect("Ver perfil");
    let (create, _) = buttons(&rosa).into_iter().nth(1).expect("Crear cliente");
    // Act
    let tap = p::telegram_callback_update(50, OWNER_A, "cb-50", &profile);
    assert_eq!(app.post_telegram(&tap).await, 200);
    let tap = p::telegram_callback_update(51, OWNER_A, "cb-51", &create);
    assert_eq!(app.post_telegram(&tap).await, 200);
    // Assert: María's card in Pablo's private chat; Rosa is a new client, and her next
    // message comes as a client's, with no second auto-reply.
    telegram_to(&app, OWNER_A, "Mascotas").await;
    telegram_to(&app, OWNER_A, "Creé el cliente Rosa Díaz (+529990004321)").await;
    let created = app
        .scalar_i64(
            "select count(*) from owner_profiles p join owners o on o.id = p.owner_id
              where p.phone_primary = '+529990004321' and o.full_name = 'Rosa Díaz'",
        )
        .await;
    assert_eq!(created, 1);
    let again = p::whatsapp_text("wamid.R2", stranger, "Rosa Díaz", "¿y perros?");
    assert_eq!(app.post_whatsapp(&again).await, 200);
    let forward = telegram_to(&app, OWNER_A, "¿y perros?").await;
    let labels: Vec<String> = buttons(&forward).into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels, ["Responder", "Ver perfil"]);
    app.all_processed().await;
    let to_her = app
        .scalar_i64("select count(*) from outbox where chat_id = '5219990004321'")
        .await;
    assert_eq!(to_her, 1, "one auto-reply, before she was a client");
    let keyboards_removed = app.telegram.requests_for("editMessageReplyMarkup");
    assert!(keyboards_removed.is_empty(), "a forward keeps its buttons");
    assert_eq!(app.telegram.requests_for("answerCallbackQuery").len(), 2);
}

#[tokio::test]
async fn both_mexican_forms_find_the_same_client_and_the_same_staff_member() {
    // Arrange: María's number kept in the `+52 1` form, a staff member linked under the
    // `+52 1` form of WA_STAFF (as a roster import could write it).
    let app = ServeApp::start_with(clinic_options()).await;
    link_owner(&app, OWNER_A, "Pablo Ruiz", 1).await;
    let (member, _) = invite(&app.db).await;
    for sql in [
        "update owner_profiles set phone_primary = '+5219981234567' where owner_id = 1".to_string(),
        format!(
            "insert into staff_identities (staff_id, channel, external_id) values ({member}, 'whatsapp', '+5219980001111')"
        ),
    ] {
        sqlx::query(&sql).execute(&app.db.pool).await.expect(&sql);
    }
    // Act: María writes as Meta sends her number today (`521…`) and in the `52…` form; the
    // staff member writes from `52…`.
    let first = p::whatsapp_text("wamid.M1", MARIA, "María", "¿tienen cita el sábado?");
    let second = p::whatsapp_text("wamid.M2", "529981234567", "María", "¿y el domingo?");
    let staff = p::whatsapp_text("wamid.S1", "529980001111", "Lucía", "/perfil 998-123-4567");
    for message in [first, second, staff] {
        assert_eq!(app.post_whatsapp(&message).await, 200);
    }
    // Assert: both of María's messages reach the owner as hers, on her one history; the
    // staff member gets the card, not the auto-reply.
    for said in ["¿tienen cita el sábado?", "¿y el domingo?"] {
        let forward = telegram_to(&app, OWNER_A, said).await;
        let text = forward.body["text"].as_str().unwrap_or_default();
        assert!(text.contains("<b>María García</b>"), "{text}");
    }
    app.all_processed().await;
    let inbound =
        "select count(*) from communications where owner_id = 1 and direction = 'inbound' \
                   and platform_message_id in ('wamid.M1', 'wamid.M2')";
    assert_eq!(app.scalar_i64(inbound).await, 2);
    let card = app.whatsapp_message("*María García*").await;
    assert_eq!(card.body["to"], "529980001111");
    let auto = app
        .whatsapp
        .requests()
        .into_iter()
        .filter(|r| r.body["to"] != "529980001111" && r.body["type"] == "text")
        .count();
    assert_eq!(auto, 0, "no auto-reply to María");
}
