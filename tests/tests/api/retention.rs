//! The queues' retention (#17): old inbox/outbox rows go, what the privacy rules keep stays.

use bot::serve::retention;
use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use sqlx::PgPool;
use tests::TestDb;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// An inbox row received (and processed, unless `pending`) at `at`.
async fn inbox(pool: &PgPool, platform_id: &str, at: DateTime<Utc>, pending: bool) -> i64 {
    sqlx::query_scalar(
        "insert into inbox (channel, platform_id, chat_id, payload, received_at, processed_at)
         values ('telegram', $1, '42', '{\"text\": \"perfil María García\"}', $2,
                 case when $3 then null else $2 end)
         returning id",
    )
    .bind(platform_id)
    .bind(at)
    .bind(pending)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// An outbox row created at `at` with `status`, answering `inbox_id` if given.
async fn outbox(pool: &PgPool, inbox_id: Option<i64>, at: DateTime<Utc>, status: &str) -> i64 {
    sqlx::query_scalar(
        "insert into outbox (inbox_id, channel, chat_id, body, status, created_at)
         values ($1, 'telegram', '42', 'María García: 2 mascotas', $2, $3) returning id",
    )
    .bind(inbox_id)
    .bind(status)
    .bind(at)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn prune_deletes_old_staff_chat_rows_and_keeps_client_records_and_recent_rows() {
    // Arrange
    let db = TestDb::demo().await;
    let pool = &db.pool;
    let now = Utc::now();
    let old = now - Duration::days(200);
    let recent = now - Duration::days(10);
    let before_inbox = count(pool, "select count(*) from inbox").await;
    let before_outbox = count(pool, "select count(*) from outbox").await;
    // An old staff question and its answer: both go.
    let old_q = inbox(pool, "old-1", old, false).await;
    let old_a = outbox(pool, Some(old_q), old, "sent").await;
    // An old reply that failed for good: goes too, with its question.
    let failed_q = inbox(pool, "old-2", old, false).await;
    outbox(pool, Some(failed_q), old, "failed").await;
    // Recent ones stay.
    let new_q = inbox(pool, "new-1", recent, false).await;
    outbox(pool, Some(new_q), recent, "sent").await;
    // An old message still waiting (never processed) and an old reply still pending stay.
    inbox(pool, "old-pending", old, true).await;
    outbox(pool, None, old, "pending").await;
    // An old message to a client, on record in `communications`: its outbox row stays.
    let to_client = outbox(pool, None, old, "sent").await;
    sqlx::query(
        "insert into communications (owner_id, direction, channel, body, status, sent_at, outbox_id)
         values (1, 'outbound', 'whatsapp', 'Hola María', 'delivered', $1, $2)",
    )
    .bind(old)
    .bind(to_client)
    .execute(pool)
    .await
    .unwrap();
    // An old client message forwarded to staff: its inbox row stays with the forward.
    let from_client = inbox(pool, "old-client", old, false).await;
    sqlx::query(
        "insert into client_forwards (inbox_id, channel, client_chat, client_phone, body, received_at)
         values ($1, 'whatsapp', '5219981234567', '+529981234567', '¿Tienen vacunas?', $2)",
    )
    .bind(from_client)
    .bind(old)
    .execute(pool)
    .await
    .unwrap();
    // An old answer to a yes/no question: stays with the question.
    let answer = inbox(pool, "old-answer", old, false).await;
    sqlx::query(
        "insert into pending_questions (channel, chat_id, kind, expires_at, answered_at, answer, answer_inbox_id)
         values ('telegram', '42', 'approve', $1, $1, true, $2)",
    )
    .bind(old)
    .bind(answer)
    .execute(pool)
    .await
    .unwrap();
    let communications = count(pool, "select count(*) from communications").await;
    let audit = count(pool, "select count(*) from audit_log").await;

    // Act
    let cutoff = retention::Retention::default().cutoff(now).unwrap();
    let pruned = retention::prune(pool, cutoff).await.unwrap();
    let again = retention::prune(pool, cutoff).await.unwrap();

    // Assert: exactly the two old exchanges went (two outbox rows, then their two questions).
    assert_eq!((pruned.outbox, pruned.inbox), (2, 2), "{pruned:?}");
    assert_eq!((again.outbox, again.inbox), (0, 0), "nothing left to prune");
    let gone: i64 = sqlx::query_scalar("select count(*) from inbox where id = any($1)")
        .bind(vec![old_q, failed_q])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(gone, 0);
    assert_eq!(
        count(
            pool,
            &format!("select count(*) from outbox where id = {old_a}")
        )
        .await,
        0
    );
    assert_eq!(
        count(pool, "select count(*) from inbox").await,
        before_inbox + 4
    );
    assert_eq!(
        count(pool, "select count(*) from outbox").await,
        before_outbox + 3
    );
    assert_eq!(
        count(pool, "select count(*) from communications").await,
        communications
    );
    assert_eq!(count(pool, "select count(*) from audit_log").await, audit);
}

#[tokio::test]
async fn vetbot_prune_takes_the_days_to_keep() {
    // Arrange
    let db = TestDb::migrated().await;
    let now = Utc::now();
    let q = inbox(&db.pool, "a", now - Duration::days(40), false).await;
    outbox(&db.pool, Some(q), now - Duration::days(40), "sent").await;
    let run = |days: &str| {
        let mut args: Vec<String> = vec!["vetbot".into()];
        args.extend(db.cli_args());
        args.extend(["prune".into(), "--days".into(), days.into()]);
        bot::cli::Cli::try_parse_from(&args)
    };

    // Act: keeping 60 days deletes nothing; keeping 30 deletes the exchange.
    bot::cli::run(run("60").unwrap()).await.unwrap();
    let kept = count(&db.pool, "select count(*) from inbox").await;
    bot::cli::run(run("30").unwrap()).await.unwrap();

    // Assert
    assert_eq!(kept, 1);
    assert_eq!(count(&db.pool, "select count(*) from inbox").await, 0);
    assert_eq!(count(&db.pool, "select count(*) from outbox").await, 0);
    assert!(run("3").is_err(), "fewer than 7 days is refused");
}
