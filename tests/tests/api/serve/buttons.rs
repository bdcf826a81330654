//! Buttons under lists and profiles (issue 15, item 3) on Telegram and WhatsApp: the
//! payloads (inline keyboards within 64-byte callback data; WhatsApp reply buttons or list
//! messages within Meta's limits), a tap leading to the answer its typed command gives,
//! paging with «Ver más» to the last page, stale keyboards answered with a notice and taken
//! off, and taps going through the same role checks as typed requests.

use super::*;

/// Dog owners in the demo clinic (a living dog), counted here in SQL of the test's own.
const DOG_OWNERS: &str = "select count(distinct p.owner_id) from pets p
     where p.species = 'dog' and p.deceased_on is null
       and not exists (select 1 from erased_clients e where e.owner_id = p.owner_id)";

/// A tap on a button of the bot's message `message_id` (a Telegram callback query).
fn tap(update_id: i64, message_id: i64, data: &str) -> Value {
    json!({"update_id": update_id, "callback_query": {
        "id": format!("cbq-{update_id}"), "from": p::telegram_user(TG_STAFF),
        "message": p::telegram_bot_message(message_id, TG_STAFF, "lista"),
        "chat_instance": "-5349841548926471185", "data": data}})
}

/// A WhatsApp `list_reply` (or `button_reply`) to the bot's message `context`.
fn wa_reply(wamid: &str, kind: &str, id: &str, title: &str, context: &str) -> Value {
    let message = json!({"context": {"from": "15550783881", "id": context},
        "from": WA_STAFF, "id": wamid, "timestamp": p::DATE.to_string(), "type": "interactive",
        "interactive": {"type": kind, kind: {"id": id, "title": title}}});
    p::whatsapp_envelope(p::whatsapp_value(
        vec![p::whatsapp_contact(WA_STAFF, "Lucía")],
        vec![message],
        vec![],
    ))
}

/// The inline keyboard of a sent message: `(text, callback_data)` in order.
fn keys(message: &Recorded) -> Vec<(String, String)> {
    let rows = message.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|k| {
            let text = k["text"].as_str().unwrap_or_default().to_owned();
            let data = k["callback_data"].as_str().unwrap_or_default().to_owned();
            (text, data)
        })
        .collect()
}

/// The platform id of the last message of the newest reply carrying a `kind` keyboard,
/// once it is sent, and that reply's outbox id.
async fn keyboard_message(app: &ServeApp, kind: &str, after: i64) -> (i64, String) {
    let find = || async {
        sqlx::query_as::<_, (i64, Option<String>)>(
            "select id, platform_ids ->> -1 from outbox
              where keyboard = $1 and id > $2 and status = 'sent' order by id desc limit 1",
        )
        .bind(kind)
        .bind(after)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .and_then(|(id, message)| Some((id, message?)))
    };
    eventually(&format!("a sent reply with a {kind} keyboard"), find).await
}

/// The sendMessage requests after `at`.
fn sent_after(app: &ServeApp, at: std::time::Instant) -> Vec<Recorded> {
    let sent = app.telegram.requests_for("sendMessage").into_iter();
    sent.filter(|r| r.at > at).collect()
}

async fn telegram_after(app: &ServeApp, at: std::time::Instant, needle: &str) -> Recorded {
    eventually(&format!("a message with {needle:?}"), || {
        let found = sent_after(app, at)
            .into_iter()
            .find(|r| r.body["text"].as_str().unwrap_or_default().contains(needle));
        std::future::ready(found)
    })
    .await
}

async fn answered(app: &ServeApp, callback: &str) -> Recorded {
    eventually(&format!("callback {callback} answered"), || {
        let answered = app.telegram.requests_for("answerCallbackQuery");
        std::future::ready(
            answered
                .into_iter()
                .find(|r| r.body["callback_query_id"] == callback),
        )
    })
    .await
}

/// The first interactive WhatsApp message after the first `after` requests.
async fn interactive_after(app: &ServeApp, after: usize) -> Recorded {
    eventually("an interactive WhatsApp message", || {
        let found = app
            .whatsapp
            .requests()
            .into_iter()
            .skip(after)
            .find(|r| r.body["type"] == "interactive");
        std::future::ready(found)
    })
    .await
}

fn keyboard_removed(app: &ServeApp, message_id: i64) -> bool {
    removals(app, message_id) > 0
}

/// How many times the keyboard of message `message_id` was taken off.
fn removals(app: &ServeApp, message_id: i64) -> usize {
    app.telegram
        .requests_for("editMessageReplyMarkup")
        .iter()
        .filter(|r| r.body["message_id"] == message_id)
        .count()
}

#[tokio::test]
async fn more_pages_through_a_telegram_list_to_its_last_page_and_older_pages_go_stale() {
    // Arrange: a segment longer than its page of 10.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let dogs = app.scalar_i64(DOG_OWNERS).await;
    let pages = (dogs + 9) / 10;
    assert!(
        pages >= 2,
        "the demo has more dog owners ({dogs}) than a page"
    );
    let ask = p::telegram_text_update(2, TG_STAFF, "clientes con perro");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let first = app.telegram_message(&format!("{dogs}")).await;
    let first_keys = keys(&first);
    assert_eq!(
        first_keys.len(),
        10,
        "8 clients, the file, more: {first_keys:?}"
    );
    assert!(first_keys.iter().all(|(_, data)| data.len() <= 64));
    assert_eq!(first_keys[9], ("Ver más ▸".to_owned(), "/mas".to_owned()));
    let (first_row, first_message) = keyboard_message(&app, "list", 0).await;
    let first_message: i64 = first_message.parse().unwrap();

    // Act: «Ver más» on each newest page until there is none.
    let (mut row, mut message, mut update) = (first_row, first_message, 10);
    for page in 2..=pages {
        let at = std::time::Instant::now();
        assert_eq!(app.post_telegram(&tap(update, message, "/mas")).await, 200);
        answered(&app, &format!("cbq-{update}")).await;
        let next = telegram_after(&app, at, &format!("Página {page} de {pages}")).await;
        let more = keys(&next).iter().any(|(_, data)| data == "/mas");
        assert_eq!(more, page < pages, "«Ver más» on page {page} of {pages}");
        // A live keyboard stays: another client of the same page can still be opened.
        assert!(!keyboard_removed(&app, message));
        let (next_row, next_message) = keyboard_message(&app, "list", row).await;
        (row, message, update) = (next_row, next_message.parse().unwrap(), update + 1);
    }
    // And typed: «más» after the last page says there is no more.
    let at = std::time::Instant::now();
    let typed = p::telegram_text_update(update, TG_STAFF, "más");
    assert_eq!(app.post_telegram(&typed).await, 200);
    telegram_after(&app, at, "No hay más").await;

    // Assert: a client button of the first page, superseded by the later pages, is stale.
    let at = std::time::Instant::now();
    let stale = tap(update + 1, first_message, &first_keys[0].1);
    assert_eq!(app.post_telegram(&stale).await, 200);
    let answer = answered(&app, &format!("cbq-{}", update + 1)).await;
    assert_eq!(answer.body["text"], "Botones vencidos");
    telegram_after(&app, at, "ya no están vigentes").await;
    eventually("the stale keyboard removed", || {
        std::future::ready(keyboard_removed(&app, first_message).then_some(()))
    })
    .await;
    app.all_processed().await;
    let name_id: i64 = first_keys[0]
        .1
        .trim_start_matches("/perfil #")
        .parse()
        .unwrap();
    let name: String = sqlx::query_scalar("select full_name from owners where id = $1")
        .bind(name_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(
        sent_after(&app, at)
            .iter()
            .all(|r| !r.body["text"].as_str().unwrap_or_default().contains(&name)),
        "no card for a stale tap"
    );
}

#[tokio::test]
async fn typed_more_pages_the_at_risk_list_like_the_button() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let at = std::time::Instant::now();
    let ask = p::telegram_text_update(2, TG_STAFF, "top 5 clientes");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let first = telegram_after(&app, at, "1.").await;
    assert!(
        keys(&first).iter().any(|(_, d)| d == "/mas"),
        "{}",
        first.body
    );
    let ranked: Vec<String> = sqlx::query_scalar(
        "select o.full_name from customer_metrics m join owners o on o.id = m.owner_id
          where m.order_count > 0
            and not exists (select 1 from erased_clients e where e.owner_id = m.owner_id)
          order by m.total_spent desc, m.owner_id limit 10",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let at = std::time::Instant::now();
    let more = p::telegram_text_update(3, TG_STAFF, "ver más");
    assert_eq!(app.post_telegram(&more).await, 200);
    let second = telegram_after(&app, at, "Página 2").await;
    let text = second.body["text"].as_str().unwrap();
    for (n, name) in ranked.iter().enumerate().skip(5) {
        assert!(
            text.contains(name.as_str()),
            "client {} on page 2: {text}",
            n + 1
        );
    }
    assert!(!text.contains(ranked[0].as_str()), "{text}");
}

#[tokio::test]
async fn a_profile_card_has_four_buttons_and_each_answers_for_that_client() {
    // Arrange: the client with the most notes (the demo has notes, tags and history).
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    let (id, name, notes, tags, history): (i64, String, i64, i64, i64) = sqlx::query_as(
        "select o.id, o.full_name,
                (select count(*) from owner_notes n where n.owner_id = o.id),
                (select count(*) from owner_profile_tags t where t.owner_id = o.id),
                (select count(*) from appointments a where a.owner_id = o.id)
                  + (select count(*) from orders r where r.owner_id = o.id)
           from owners o
          where not exists (select 1 from erased_clients e where e.owner_id = o.id)
            and exists (select 1 from owner_profile_tags t where t.owner_id = o.id)
          order by 3 desc, 4 desc, o.id limit 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        notes > 0 && tags > 0 && history > 0,
        "{name}: {notes} {tags} {history}"
    );
    let ask = p::telegram_text_update(2, TG_STAFF, &format!("/perfil #{id}"));
    assert_eq!(app.post_telegram(&ask).await, 200);
    let card = app.telegram_message(&name).await;
    assert_eq!(
        keys(&card),
        [
            ("📝 Notas", format!("/notas #{id}")),
            ("🏷️ Etiquetas", format!("/etiquetas #{id}")),
            ("📋 Historial", format!("/historial #{id}")),
            ("✉️ Enviar mensaje", format!("/mensaje #{id}")),
        ]
        .map(|(l, d)| (l.to_owned(), d))
    );
    let (_, message) = keyboard_message(&app, "profile", 0).await;
    let message: i64 = message.parse().unwrap();

    // Act + Assert: notes, newest first.
    let newest: String = sqlx::query_scalar(
        "select content from owner_notes where owner_id = $1 order by created_at desc, id desc limit 1",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let at = std::time::Instant::now();
    assert_eq!(
        app.post_telegram(&tap(3, message, &format!("/notas #{id}")))
            .await,
        200
    );
    let answer = telegram_after(&app, at, &format!("Notas de {name}")).await;
    let text = answer.body["text"].as_str().unwrap();
    let first_line: String = newest.lines().next().unwrap().chars().take(30).collect();
    assert!(text.contains(&first_line), "{text}");
    assert_eq!(text.matches("• ").count() as i64, notes.min(15));
    // Tags: every tag's name.
    let names: Vec<String> = sqlx::query_scalar(
        "select t.name from owner_profile_tags pt join owner_tags t on t.id = pt.tag_id where pt.owner_id = $1",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let at = std::time::Instant::now();
    assert_eq!(
        app.post_telegram(&tap(4, message, &format!("/etiquetas #{id}")))
            .await,
        200
    );
    let answer = telegram_after(&app, at, &format!("Etiquetas de {name}")).await;
    let text = answer.body["text"].as_str().unwrap();
    assert!(
        names.iter().all(|n| text.contains(n.as_str())),
        "{names:?} in {text}"
    );
    // History: visits and purchases together, the newest 15, and how many in all.
    let at = std::time::Instant::now();
    assert_eq!(
        app.post_telegram(&tap(5, message, &format!("/historial #{id}")))
            .await,
        200
    );
    let answer = telegram_after(&app, at, &format!("Historial de {name}")).await;
    let text = answer.body["text"].as_str().unwrap();
    assert_eq!(text.matches("• ").count() as i64, history.min(15), "{text}");
    if history > 15 {
        assert!(text.contains(&format!("(15 de {history}")), "{text}");
    }
    // The profile's keyboard stayed through these taps.
    assert!(!keyboard_removed(&app, message));

    // «Enviar mensaje»: a draft for that one client, sent to nobody until an owner approves.
    let before = app.whatsapp.requests().len();
    let at = std::time::Instant::now();
    assert_eq!(
        app.post_telegram(&tap(6, message, &format!("/mensaje #{id}")))
            .await,
        200
    );
    let preview = telegram_after(&app, at, "borrador #").await;
    app.all_processed().await;
    let (campaign, status, by): (i64, String, Option<i64>) = sqlx::query_as(
        "select id, status, created_by from marketing_campaigns order by id desc limit 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        ["draft", "pending_approval"].contains(&status.as_str()),
        "{status}"
    );
    assert_eq!(by, Some(member));
    let targets: Vec<i64> = sqlx::query_scalar(
        "select owner_id from campaign_recipients where campaign_id = $1 order by owner_id",
    )
    .bind(campaign)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(targets, [id], "{}", preview.body["text"]);
    assert_eq!(
        app.whatsapp.requests().len(),
        before,
        "nothing was sent to the client"
    );
    assert!(preview.body["text"].as_str().unwrap().contains(&name));
}

#[tokio::test]
async fn english_staff_get_english_buttons() {
    let app = ServeApp::start().await;
    let member = app.link_telegram_staff().await;
    sqlx::query("update staff set language = 'en' where id = $1")
        .bind(member)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let at = std::time::Instant::now();
    let ask = p::telegram_text_update(2, TG_STAFF, "/risk");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let list = telegram_after(&app, at, "1.").await;
    let list_keys = keys(&list);
    assert!(list_keys
        .iter()
        .any(|(l, d)| l == "📎 Excel" && d == "/excel"));
    let id = list_keys[0].1.trim_start_matches("/perfil #").to_owned();
    let (_, message) = keyboard_message(&app, "list", 0).await;
    let at = std::time::Instant::now();
    let open = tap(3, message.parse().unwrap(), &list_keys[0].1);
    assert_eq!(app.post_telegram(&open).await, 200);
    let card = eventually("the card with its buttons", || {
        let found = sent_after(&app, at)
            .into_iter()
            .find(|r| !r.body["reply_markup"].is_null());
        std::future::ready(found)
    })
    .await;
    let labels: Vec<String> = keys(&card).into_iter().map(|k| k.0).collect();
    assert_eq!(
        labels,
        ["📝 Notes", "🏷️ Tags", "📋 History", "✉️ Send message"]
    );
    assert_eq!(keys(&card)[2].1, format!("/historial #{id}"));
}

#[tokio::test]
async fn expired_keyboards_and_erased_clients_get_a_notice_and_lose_the_keyboard() {
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let at = std::time::Instant::now();
    let ask = p::telegram_text_update(2, TG_STAFF, "/riesgo");
    assert_eq!(app.post_telegram(&ask).await, 200);
    let list = telegram_after(&app, at, "1.").await;
    let keys = keys(&list);
    assert!(keys.len() >= 3, "{keys:?}");
    let (row, message) = keyboard_message(&app, "list", 0).await;
    let message: i64 = message.parse().unwrap();
    // An erased client: the list is live, its button is not.
    let erased: i64 = keys[1].1.trim_start_matches("/perfil #").parse().unwrap();
    sqlx::query("insert into erased_clients (owner_id) values ($1)")
        .bind(erased)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let at = std::time::Instant::now();
    assert_eq!(app.post_telegram(&tap(3, message, &keys[1].1)).await, 200);
    telegram_after(&app, at, "ya no existe").await;
    assert_eq!(
        answered(&app, "cbq-3").await.body["text"],
        "Cliente borrado"
    );
    // The same list 25 hours later: expired.
    sqlx::query("update outbox set created_at = now() - interval '25 hours' where id = $1")
        .bind(row)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let at = std::time::Instant::now();
    assert_eq!(app.post_telegram(&tap(4, message, &keys[0].1)).await, 200);
    telegram_after(&app, at, "vencieron").await;
    assert_eq!(
        answered(&app, "cbq-4").await.body["text"],
        "Botones vencidos"
    );
    // Taken off once for each stale tap (the erased client's, then the expired one's).
    eventually("the expired keyboard removed", || {
        std::future::ready((removals(&app, message) == 2).then_some(()))
    })
    .await;
}

#[tokio::test]
async fn a_staff_tap_on_an_owner_only_action_is_refused_naming_the_owner() {
    let app = ServeApp::start().await;
    sqlx::query("insert into staff (name, role) values ('Dr. Pablo', 'owner')")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.link_telegram_staff().await;
    // A suggestion's button for the revenue report (an owner's report), tapped by staff.
    let press = tap(2, 42, "/reporte ingresos");
    assert_eq!(app.post_telegram(&press).await, 200);
    answered(&app, "cbq-2").await;
    let refused = app.telegram_message("No tienes permiso").await;
    let text = refused.body["text"].as_str().unwrap();
    assert!(text.contains("Solo el dueño de la clínica ("), "{text}");
    assert!(text.contains("Dr. Pablo"), "{text}");
    // The same on WhatsApp, as a reply button.
    app.link_whatsapp_staff().await;
    let press = wa_reply(
        "wamid.OWNERONLY",
        "button_reply",
        "/report revenue",
        "Revenue",
        "wamid.X",
    );
    assert_eq!(app.post_whatsapp(&press).await, 200);
    app.whatsapp_message("Only the clinic's owner (").await;
}

#[tokio::test]
async fn whatsapp_lists_and_profiles_are_interactive_messages_and_replies_work_like_taps() {
    // Arrange
    let app = ServeApp::start().await;
    app.link_whatsapp_staff().await;
    let dogs = app.scalar_i64(DOG_OWNERS).await;
    let before = app.whatsapp.requests().len();
    let ask = p::whatsapp_text("wamid.DOGS", WA_STAFF, "Lucía", "clientes con perro");
    assert_eq!(app.post_whatsapp(&ask).await, 200);
    // Assert: the list as one list message within Meta's limits, the text its body.
    let list = interactive_after(&app, before).await;
    let body = list.body["interactive"]["body"]["text"].as_str().unwrap();
    assert!(body.contains(&format!("{dogs}")), "{body}");
    let interactive = &list.body["interactive"];
    assert_eq!(interactive["type"], "list", "{interactive}");
    let menu = interactive["action"]["button"].as_str().unwrap();
    assert!((1..=20).contains(&menu.chars().count()), "{menu}");
    assert!(
        interactive["body"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 4096
    );
    let sections = interactive["action"]["sections"].as_array().unwrap();
    let rows: Vec<&Value> = sections
        .iter()
        .flat_map(|s| s["rows"].as_array().unwrap().iter())
        .collect();
    assert_eq!(rows.len(), 10, "8 clients, the file, more");
    for s in sections {
        assert!(s["title"].as_str().unwrap().chars().count() <= 24);
    }
    for row in &rows {
        assert!(
            row["title"].as_str().unwrap().chars().count() <= 24,
            "{row}"
        );
        assert!(row["id"].as_str().unwrap().chars().count() <= 200, "{row}");
        if let Some(d) = row["description"].as_str() {
            assert!(d.chars().count() <= 72, "{row}");
        }
    }
    let (_, list_wamid) = keyboard_message(&app, "list", 0).await;
    // Act: pick the first client from the list.
    let first = rows[0]["id"].as_str().unwrap().to_owned();
    let id: i64 = first.trim_start_matches("/perfil #").parse().unwrap();
    let name: String = sqlx::query_scalar("select full_name from owners where id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let before = app.whatsapp.requests().len();
    let pick = wa_reply("wamid.PICK", "list_reply", &first, "1.", &list_wamid);
    assert_eq!(app.post_whatsapp(&pick).await, 200);
    // Assert: the card, with its four actions as a list message (more than 3 choices).
    let card = interactive_after(&app, before).await;
    let body = card.body["interactive"]["body"]["text"].as_str().unwrap();
    assert!(body.contains(&name), "{body}");
    assert_eq!(card.body["interactive"]["type"], "list");
    let actions: Vec<String> = card.body["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions[2], format!("/historial #{id}"));
    let (_, card_wamid) = keyboard_message(&app, "profile", 0).await;
    let history = wa_reply(
        "wamid.HIST",
        "list_reply",
        &actions[2],
        "📋 Historial",
        &card_wamid,
    );
    assert_eq!(app.post_whatsapp(&history).await, 200);
    app.whatsapp_message(&format!("Historial de {name}")).await;
    // A newer list makes the first one stale: its rows get the notice, not a card.
    let again = p::whatsapp_text("wamid.RISK", WA_STAFF, "Lucía", "/riesgo");
    assert_eq!(app.post_whatsapp(&again).await, 200);
    app.whatsapp_message("Clientes en Riesgo").await;
    keyboard_message(&app, "list", 0).await;
    app.all_processed().await;
    let second = rows[1]["id"].as_str().unwrap();
    let late = wa_reply("wamid.LATE", "list_reply", second, "2.", &list_wamid);
    assert_eq!(app.post_whatsapp(&late).await, 200);
    app.whatsapp_message("ya no están vigentes").await;
    // Typed replies keep working: «2» opens the second client of the newest list. Its card
    // is waited for (processed is not yet sent), so the next check cannot pick it up.
    let before_typed = app.whatsapp.requests().len();
    let typed = p::whatsapp_text("wamid.TWO", WA_STAFF, "Lucía", "2");
    assert_eq!(app.post_whatsapp(&typed).await, 200);
    let card = interactive_after(&app, before_typed).await;
    assert_eq!(card.body["interactive"]["type"], "list");
    app.all_processed().await;
    // At most three choices are reply buttons, titles within 20 characters.
    let before = app.whatsapp.requests().len();
    let unknown = p::whatsapp_text("wamid.UNK", WA_STAFF, "Lucía", "¿va a llover mañana?");
    assert_eq!(app.post_whatsapp(&unknown).await, 200);
    app.whatsapp_message("No entendí").await;
    let suggestions = interactive_after(&app, before).await;
    let interactive = &suggestions.body["interactive"];
    assert_eq!(interactive["type"], "button");
    let buttons = interactive["action"]["buttons"].as_array().unwrap();
    assert!((1..=3).contains(&buttons.len()));
    assert!(buttons
        .iter()
        .all(|b| b["reply"]["title"].as_str().unwrap().chars().count() <= 20));
}
