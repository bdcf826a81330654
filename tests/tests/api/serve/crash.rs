//! A crash mid-send does not silence a chat (issue 18, item 9): a process killed while a
//! reply is in flight leaves that row in `sending`; the next process sees at once that its
//! holder's session lock is free, fails the row as interrupted (never resent), tells the
//! chat in one line, and sends the chat's other replies within seconds — not after the
//! five-minute lease. A live replica's rows are never taken.

use std::time::Instant;

use super::*;

/// Profiles asked for, twice over: eight messages in one chat.
const NAMES: [&str; 4] = [
    "María García",
    "Sarah Johnson",
    "Carlos Méndez",
    "Rosa Medina",
];

fn profiles_sent(app: &ServeApp) -> usize {
    let texts = app.telegram.sent_texts();
    texts
        .iter()
        .filter(|t| t.starts_with("Aquí está el perfil de"))
        .count()
}

async fn rows(app: &ServeApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

#[tokio::test]
async fn a_sender_killed_mid_send_does_not_silence_its_chat() {
    // Arrange: eight messages acked; the first reply's request hangs at Telegram.
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    app.telegram.hold_next("sendMessage");
    for (i, name) in (10..).zip(NAMES.iter().chain(&NAMES)) {
        let update = p::telegram_text_update(i, TG_STAFF, &format!("/perfil {name}"));
        assert_eq!(app.post_telegram(&update).await, 200);
    }
    eventually("the first reply in flight", || {
        std::future::ready((app.telegram.held() == 1).then_some(()))
    })
    .await;
    app.all_processed().await;
    let queued = "select count(*) from outbox where status in ('pending', 'sending')";
    assert_eq!(rows(&app, queued).await, 8);
    // Act: the process dies mid-send; a new one starts on the same database.
    let (db, telegram, whatsapp) = app.kill().await;
    let restarted_at = Instant::now();
    let app = ServeApp::start_on(db, telegram, whatsapp, Options::default()).await;
    // Assert: the chat is told, in one line, and its seven other replies follow at once.
    let notice = app
        .telegram_message("Puede que no te haya llegado mi respuesta a «/perfil María García»")
        .await;
    assert_eq!(notice.body["chat_id"].as_i64(), Some(TG_STAFF));
    let text = notice.body["text"].as_str().unwrap();
    assert!(!text.contains('\n'), "one line: {text}");
    eventually("the other seven replies", || {
        std::future::ready((profiles_sent(&app) == 8).then_some(()))
    })
    .await;
    let took = restarted_at.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "took {took:?}, not the lease"
    );
    let interrupted = "select count(*) from outbox
                        where status = 'failed' and failure = 'interrupted' and pieces_sent = 0";
    assert_eq!(rows(&app, interrupted).await, 1);
    let sent =
        "select count(*) from outbox where status = 'sent' and body like 'Aquí está el perfil%'";
    // (The fake has a request before the sender commits it.)
    eventually("seven replies recorded as sent", || async {
        (rows(&app, sent).await == 7).then_some(())
    })
    .await;
    // The held request finally answers: the dead process's send records nothing.
    app.telegram.release_held();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rows(&app, interrupted).await, 1);
    // Eight profiles on the wire (the lost one once, never resent) and the notice; the
    // chat was told itself, so staff get no failure report about it.
    assert_eq!(profiles_sent(&app), 8);
    let texts = app.telegram.sent_texts();
    assert!(
        !texts.iter().any(|t| t.contains("no se entregó")),
        "{texts:?}"
    );
    let told = texts.iter().filter(|t| t.contains("Puede que no te haya"));
    assert_eq!(told.count(), 1);
}

#[tokio::test]
async fn two_replicas_never_take_each_others_replies() {
    // Arrange: two applications on one database; one reply hangs in flight at Telegram.
    let app = ServeApp::start().await;
    let replica = app.replica().await;
    app.telegram.hold_next("sendMessage");
    let insert = |chat: &str, body: &str| {
        sqlx::query("insert into outbox (channel, chat_id, body) values ('telegram', $1, $2)")
            .bind(chat.to_string())
            .bind(body.to_string())
            .execute(&app.db.pool)
    };
    insert("555000301", "555000301-0").await.unwrap();
    eventually("a reply in flight", || {
        std::future::ready((app.telegram.held() == 1).then_some(()))
    })
    .await;
    // Act: 24 more replies for six chats, while both replicas look for dead senders.
    sqlx::query(
        "insert into outbox (channel, chat_id, body)
         select 'telegram', chat, chat || '-' || n
           from generate_series(1, 4) n,
                unnest(array['555000301', '555000302', '555000303',
                             '555000304', '555000305', '555000306']) chat
          order by n, chat",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let others = "select count(*) from outbox where status = 'sent' and chat_id <> '555000301'";
    eventually("the other chats' replies", || async {
        (rows(&app, others).await == 20).then_some(())
    })
    .await;
    // Both replicas checked the held row's holder at least once meanwhile.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // Assert: the live sender's row is still its own, its chat waits behind it.
    let held = "select count(*) from outbox where status = 'sending' and body = '555000301-0'";
    assert_eq!(rows(&app, held).await, 1);
    assert_eq!(
        rows(&app, "select count(*) from outbox where status = 'failed'").await,
        0
    );
    app.telegram.release_held();
    let sent = "select count(*) from outbox where status = 'sent'";
    eventually("every reply", || async {
        (rows(&app, sent).await == 25).then_some(())
    })
    .await;
    // Each reply went out once, in its chat's order.
    let texts = app.telegram.sent_texts();
    assert_eq!(texts.len(), 25, "{texts:?}");
    for chat in ["555000301", "555000302", "555000306"] {
        let order: Vec<&str> = texts
            .iter()
            .filter(|t| t.starts_with(chat))
            .map(String::as_str)
            .collect();
        let first = usize::from(chat != "555000301");
        let expected: Vec<String> = (first..=4).map(|n| format!("{chat}-{n}")).collect();
        assert_eq!(order, expected, "{chat}");
    }
    replica.stop().await;
}

#[tokio::test]
async fn a_message_a_dead_process_was_answering_is_answered_at_once_and_a_live_ones_is_left() {
    // Arrange: two staff questions acked by an instance without workers...
    let app = ServeApp::start().await;
    app.link_telegram_staff().await;
    let (db, telegram, whatsapp) = app.stop().await;
    let no_workers = Options {
        workers: 0,
        ..Options::default()
    };
    let acking = ServeApp::start_on(db, telegram, whatsapp, no_workers).await;
    for (update_id, name) in [(30, "María García"), (31, "Sarah Johnson")] {
        let update = p::telegram_text_update(update_id, TG_STAFF, &format!("/perfil {name}"));
        assert_eq!(acking.post_telegram(&update).await, 200);
    }
    let (db, telegram, whatsapp) = acking.stop().await;
    // ...then claimed a moment ago (their leases run another minute): the first by a
    // process that is gone, the second by one that still holds its session lock.
    let mut live = db.pool.acquire().await.unwrap().detach();
    let (dead_session, live_session): (i32, i32) =
        sqlx::query_as("select nextval('serve_sessions')::int, nextval('serve_sessions')::int")
            .fetch_one(&mut live)
            .await
            .unwrap();
    sqlx::query("select pg_advisory_lock(1986360418, $1)")
        .bind(live_session)
        .execute(&mut live)
        .await
        .unwrap();
    sqlx::query(
        "update inbox set claims = claims + 1, retry_at = now() + interval '60 seconds',
                claimed_by = case platform_id when '30' then $1 else $2 end
          where platform_id in ('30', '31')",
    )
    .bind(dead_session)
    .bind(live_session)
    .execute(&db.pool)
    .await
    .unwrap();
    // Act
    let started = Instant::now();
    let app = ServeApp::start_on(db, telegram, whatsapp, Options::default()).await;
    // Assert: the dead claim's message is answered within seconds (not after the lease)...
    app.telegram_message("Aquí está el perfil de María García")
        .await;
    assert!(started.elapsed() < Duration::from_secs(8));
    // ...the live one's is left to its holder, and the chat waits behind it.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let open = "select count(*) from inbox where platform_id = '31' and processed_at is null";
    assert_eq!(rows(&app, open).await, 1);
    // Its holder goes away too: it is answered at once.
    sqlx::Connection::close(live).await.unwrap();
    app.telegram_message("Aquí está el perfil de Sarah Johnson")
        .await;
}
