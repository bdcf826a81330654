//! Campaign sends (issue 12): an approved campaign's rows go out once each, on the right
//! channel and form (text inside WhatsApp's 24-hour window, the template outside it), at
//! the clinic's allowed hours and daily cap, with every Cloud API refusal handled as its
//! code says; statuses update the rows; results compare the messaged with the holdout.
//!
//! Campaigns are inserted as the owner's approval leaves them (`approved`, one `pending`
//! target row per client with channel, chat, text and template). The sender's clock is a
//! manual one the tests move (quiet hours, clinic days).

use bot::clock::{ClinicClock, DEFAULT_TIMEZONE};
use bot::marketing::send::SendClock;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::*;

mod segments;
mod templates;

/// The owner who approves (a Telegram chat of their own gets the progress lines).
const TG_OWNER: i64 = 555_000_777;

/// `h:m` in Cancún on the demo's day (2025-11-20) plus `days`.
fn cancun(days: u64, h: u32, m: u32) -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2025, 11, 20).unwrap() + chrono::Days::new(days);
    let time = NaiveTime::from_hms_opt(h, m, 0).unwrap();
    ClinicClock::new(DEFAULT_TIMEZONE, None).local(day, time)
}

/// An application whose campaign clock reads `at`, with `extra` settings.
async fn start_at(at: DateTime<Utc>, extra: Vec<(&'static str, String)>) -> (ServeApp, SendClock) {
    let clock = SendClock::manual(at);
    let options = Options {
        extra,
        campaign_clock: Some(clock.clone()),
        ..Options::default()
    };
    (ServeApp::start_with(options).await, clock)
}

/// One recipient row.
#[derive(Clone)]
struct To {
    owner_id: i64,
    role: &'static str,
    channel: &'static str,
    chat: String,
    template: bool,
}

impl To {
    fn whatsapp(owner_id: i64, chat: &str) -> Self {
        Self {
            owner_id,
            role: "target",
            channel: "whatsapp",
            chat: chat.into(),
            template: true,
        }
    }

    fn without_template(mut self) -> Self {
        self.template = false;
        self
    }

    fn holdout(owner_id: i64) -> Self {
        Self {
            owner_id,
            role: "holdout",
            channel: "whatsapp",
            chat: String::new(),
            template: false,
        }
    }
}

/// `n` demo clients (ids), each with a WhatsApp chat of its own.
async fn clients(app: &ServeApp, n: i64) -> Vec<(i64, String)> {
    let ids: Vec<i64> = sqlx::query_scalar("select id from owners order by id limit $1")
        .bind(n)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    ids.into_iter()
        .map(|id| (id, format!("52199800{id:05}")))
        .collect()
}

/// The owner Dr. Pablo, linked on Telegram as [`TG_OWNER`]; returns the staff id.
async fn owner(app: &ServeApp) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "with s as (insert into staff (name, role) values ('Dr. Pablo', 'owner') returning id)
         insert into staff_identities (staff_id, channel, external_id)
         select id, 'telegram', $1 from s returning staff_id",
    )
    .bind(TG_OWNER.to_string())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    id
}

/// An approved campaign `name` with rows `to`, as the owner's approval leaves it.
async fn approved(app: &ServeApp, approver: i64, name: &str, to: &[To]) -> i64 {
    insert(app, approver, name, to, false).await
}

/// The same, scheduled for a year later (the test changes it before it is due).
async fn paused(app: &ServeApp, approver: i64, name: &str, to: &[To]) -> i64 {
    insert(app, approver, name, to, true).await
}

async fn insert(app: &ServeApp, approver: i64, name: &str, to: &[To], paused: bool) -> i64 {
    let mut tx = app.db.pool.begin().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "insert into marketing_campaigns (name, campaign_type, status, body, kind, version,
             approved_by, approved_at, approved_version, origin_channel, origin_chat, scheduled_for)
         values ($1, 'whatsapp', 'approved', 'Hola {nombre}', 'reactivation', 1, $2, now(), 1,
                 'telegram', $3, case when $4 then now() + interval '1 year' end)
         returning id",
    )
    .bind(name)
    .bind(approver)
    .bind(TG_OWNER.to_string())
    .bind(paused)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    for t in to {
        let target = t.role == "target";
        let template = t.template.then(|| {
            json!({"name": "reactivacion_v1", "language": "es_MX",
                   "parameters": [format!("Cliente {}", t.owner_id), "Luna", "vacuna antirrábica"]})
        });
        sqlx::query(
            "insert into campaign_recipients (campaign_id, owner_id, role, channel, chat_id, body, template)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(t.owner_id)
        .bind(t.role)
        .bind(target.then_some(t.channel))
        .bind(target.then_some(t.chat.as_str()))
        .bind(target.then(|| {
            format!(
                "Hola cliente {}: en Clínica Demo toca la vacuna antirrábica de Luna. Responde BAJA para no recibir más mensajes.",
                t.owner_id
            )
        }))
        .bind(template)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

/// The client wrote to the clinic an hour ago: WhatsApp's window is open.
async fn wrote_recently(app: &ServeApp, owner_id: i64, chat: &str) {
    sqlx::query(
        "with i as (insert into inbox (channel, platform_id, chat_id, payload, processed_at)
                    values ('whatsapp', 'wamid.IN' || $2, $2, '{}', now()) returning id)
         insert into client_forwards (inbox_id, channel, client_chat, client_phone, owner_id, body, received_at)
         select id, 'whatsapp', $2, '+' || $2, $1, 'Hola', now() - interval '1 hour' from i",
    )
    .bind(owner_id)
    .bind(chat)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Waits until campaign `id` has no target row pending or sending; returns its rows'
/// `(owner_id, status)`.
async fn settled(app: &ServeApp, id: i64) -> Vec<(i64, String)> {
    let pool = app.db.pool.clone();
    eventually(&format!("campaign {id} to settle"), || {
        let pool = pool.clone();
        async move {
            let open: i64 = sqlx::query_scalar(
                "select count(*) from campaign_recipients
                  where campaign_id = $1 and role = 'target' and status in ('pending', 'sending')",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
            if open > 0 {
                return None;
            }
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "select owner_id, status from campaign_recipients
                  where campaign_id = $1 and role = 'target' order by owner_id",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
            Some(rows)
        }
    })
    .await
}

/// One row's `(status, failure)`, once it is no longer `pending`/`sending` or `pending`
/// with a `send_after` (put back for later).
async fn fate(app: &ServeApp, id: i64, owner_id: i64) -> (String, Option<String>) {
    let pool = app.db.pool.clone();
    eventually(&format!("the fate of client {owner_id}"), || {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, Option<String>)>(
                "select status, failure from campaign_recipients
                  where campaign_id = $1 and owner_id = $2
                    and (status not in ('pending', 'sending') or (status = 'pending' and send_after is not null))",
            )
            .bind(id)
            .bind(owner_id)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    })
    .await
}

fn texts_to(app: &ServeApp, chat: i64) -> Vec<String> {
    app.telegram
        .requests_for("sendMessage")
        .into_iter()
        .filter(|r| {
            r.body["chat_id"].as_i64() == Some(chat)
                || r.body["chat_id"].as_str() == Some(chat.to_string().as_str())
        })
        .map(|r| r.body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn an_approved_campaign_sends_each_client_once_templates_outside_the_window_text_inside() {
    // Arrange: four targets (one wrote an hour ago), one kept out as holdout.
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 5).await;
    wrote_recently(&app, c[0].0, &c[0].1).await;
    let mut to: Vec<To> = c[..4]
        .iter()
        .map(|(id, chat)| To::whatsapp(*id, chat))
        .collect();
    to.push(To::holdout(c[4].0));
    // Act
    let id = approved(&app, approver, "Reactivación noviembre", &to).await;
    let rows = settled(&app, id).await;
    // Assert: exactly four sends, one each: text inside the window, templates outside.
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    assert_eq!(app.whatsapp.requests().len(), 4);
    for (_, chat) in &c[..4] {
        assert_eq!(app.whatsapp.messages_to(chat), 1, "{chat}");
    }
    assert_eq!(
        app.whatsapp.messages_to(&c[4].1),
        0,
        "the holdout gets nothing"
    );
    let templates = app.whatsapp.sent_templates();
    assert_eq!(templates.len(), 3);
    assert!(templates.iter().all(|(to, name, lang, params)| {
        to != &c[0].1 && name == "reactivacion_v1" && lang == "es_MX" && params[1] == "Luna"
    }));
    let text = app.whatsapp.sent_texts();
    assert_eq!(text.len(), 1);
    assert!(text[0].contains("Responde BAJA"), "{text:?}");
    // Each send is a communication of the campaign, with the platform's id.
    let comms: i64 = sqlx::query_scalar(
        "select count(*) from communications
          where campaign_id = $1 and direction = 'outbound' and status = 'sent'
            and platform_message_id like 'wamid.%'",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(comms, 4);
    // The owner heard when it started and when it ended; the campaign is closed.
    app.telegram_message("Empezó el envío de «Reactivación noviembre» a 4 clientes")
        .await;
    app.telegram_message("Terminó el envío de «Reactivación noviembre»: 4 enviados")
        .await;
    let status: (String, bool) = sqlx::query_as(
        "select status, finished_at is not null from marketing_campaigns where id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(status, ("sent".to_string(), true));
    assert_eq!(
        texts_to(&app, TG_OWNER).len(),
        2,
        "two progress lines, once each"
    );
}

#[tokio::test]
async fn two_replicas_never_send_the_same_row_twice() {
    // Arrange: a second `vetbot serve` on the same database and fakes.
    let (app, clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let options = Options {
        campaign_clock: Some(clock),
        ..Options::default()
    };
    let (_, stop, task) = launch(&app.db, &app.telegram, &app.whatsapp, &options).await;
    // Every demo client (38): eight loops on two replicas compete for them.
    let c = clients(&app, 100).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    // Act
    let id = approved(&app, approver, "Dos réplicas", &to).await;
    let rows = settled(&app, id).await;
    // Assert: one send per client, none twice.
    assert!(rows.len() >= 30, "{} clients", rows.len());
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    assert_eq!(app.whatsapp.requests().len(), rows.len());
    let holders: i64 = sqlx::query_scalar(
        "select count(distinct claimed_by) from campaign_recipients where campaign_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(holders, 2, "both replicas sent part of it");
    for (_, chat) in &c {
        assert_eq!(app.whatsapp.messages_to(chat), 1, "{chat}");
    }
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_row_left_sending_by_a_dead_sender_becomes_unknown_and_is_not_resent() {
    // Arrange: before start-up, one row was claimed by a sender that crashed mid-call
    // (its session holds no lock), and one is claimed by a sender that is alive (this
    // test's connection holds its session's lock).
    let db = TestDb::demo().await;
    // A live serve session: this connection holds its lock (serve/session.rs).
    let mut alive = db.pool.acquire().await.unwrap().detach();
    let alive_id: i32 = 2_000_000_001;
    sqlx::query("select pg_advisory_lock(1986360418, $1)")
        .bind(alive_id)
        .execute(&mut alive)
        .await
        .unwrap();
    let (telegram, whatsapp) = (FakeTelegram::start().await, FakeWhatsApp::start().await);
    let clock = SendClock::manual(cancun(0, 12, 0));
    let options = Options {
        campaign_clock: Some(clock),
        ..Options::default()
    };
    let app = ServeApp::start_on(db, telegram, whatsapp, options).await;
    let approver = owner(&app).await;
    let c = clients(&app, 3).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let id = paused(&app, approver, "Reinicio", &to).await;
    let mut tx = app.db.pool.begin().await.unwrap();
    for (owner_id, holder) in [(c[0].0, 999_999_i64), (c[1].0, i64::from(alive_id))] {
        sqlx::query(
            "update campaign_recipients set status = 'sending', attempts = 1, claimed_at = now(),
                    claimed_by = $3 where campaign_id = $1 and owner_id = $2",
        )
        .bind(id)
        .bind(owner_id)
        .bind(holder)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "update marketing_campaigns set scheduled_for = null, status = 'sending' where id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Act: the sender looks at the rows.
    let (status, failure) = fate(&app, id, c[0].0).await;
    let (third, _) = fate(&app, id, c[2].0).await;
    // Assert: the dead sender's row is unknown, never resent; the live one's is left alone;
    // the untouched row is sent.
    assert_eq!(
        (status.as_str(), failure.as_deref()),
        ("unknown", Some("interrupted"))
    );
    assert_eq!(third, "sent");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let live: String = sqlx::query_scalar(
        "select status from campaign_recipients where campaign_id = $1 and owner_id = $2",
    )
    .bind(id)
    .bind(c[1].0)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(live, "sending", "a live sender's row is not taken from it");
    assert_eq!(app.whatsapp.messages_to(&c[0].1), 0);
    assert_eq!(app.whatsapp.messages_to(&c[1].1), 0);
    assert_eq!(app.whatsapp.messages_to(&c[2].1), 1);
    // The live sender dies: its row becomes unknown too, and is not sent.
    drop(alive);
    let (status, _) = fate(&app, id, c[1].0).await;
    assert_eq!(status, "unknown");
    assert_eq!(app.whatsapp.messages_to(&c[1].1), 0);
    app.telegram_message("1 enviado").await;
    app.telegram_message("2 con destino incierto").await;
}

#[tokio::test]
async fn a_restart_mid_campaign_sends_the_rest_once() {
    // Arrange: a daily cap of 3 stops the campaign part-way on day one.
    let extra = vec![("MARKETING_DAILY_LIMIT", "3".to_string())];
    let (app, _clock) = start_at(cancun(0, 12, 0), extra.clone()).await;
    let approver = owner(&app).await;
    let c = clients(&app, 5).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let id = approved(&app, approver, "Tras reinicio", &to).await;
    let pool = app.db.pool.clone();
    eventually("three sends", || {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "select count(*) from campaign_recipients where campaign_id = $1 and status = 'sent'",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
            (n == 3).then_some(())
        }
    })
    .await;
    // Act: stop, restart the next day.
    let (db, telegram, whatsapp) = app.stop().await;
    let options = Options {
        extra,
        campaign_clock: Some(SendClock::manual(cancun(1, 9, 30))),
        ..Options::default()
    };
    let app = ServeApp::start_on(db, telegram, whatsapp, options).await;
    let rows = settled(&app, id).await;
    // Assert: five sends in all, one per client.
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    assert_eq!(app.whatsapp.requests().len(), 5);
    for (_, chat) in &c {
        assert_eq!(app.whatsapp.messages_to(chat), 1, "{chat}");
    }
}

#[tokio::test]
async fn quiet_hours_hold_sends_until_they_end() {
    // Arrange: 22:00 in Cancún.
    let (app, clock) = start_at(cancun(0, 22, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 2).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let id = approved(&app, approver, "Nocturna", &to).await;
    // Act + Assert: the rows wait for 09:00 and nothing is sent.
    let (status, _) = fate(&app, id, c[0].0).await;
    assert_eq!(status, "pending");
    let after: Vec<DateTime<Utc>> = sqlx::query_scalar(
        "select send_after from campaign_recipients where campaign_id = $1 order by owner_id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(after, vec![cancun(1, 9, 0); 2]);
    clock.set(cancun(1, 8, 59));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(app.whatsapp.requests().len(), 0, "still quiet at 08:59");
    // The morning comes.
    clock.set(cancun(1, 9, 0));
    let rows = settled(&app, id).await;
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    assert_eq!(app.whatsapp.requests().len(), 2);
}

#[tokio::test]
async fn the_daily_cap_rolls_the_rest_to_the_next_days() {
    // Arrange: at most 2 unique clients a day; 5 targets.
    let extra = vec![("MARKETING_DAILY_LIMIT", "2".to_string())];
    let (app, clock) = start_at(cancun(0, 10, 0), extra).await;
    let approver = owner(&app).await;
    let c = clients(&app, 5).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let id = approved(&app, approver, "Con cuota", &to).await;
    let sent = |app: &ServeApp| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from campaign_recipients where campaign_id = $1 and status = 'sent'",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let deferred = |app: &ServeApp| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from campaign_recipients
                  where campaign_id = $1 and status = 'pending' and send_after is not null",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // Day one: two sends, three rows moved to the next day's 09:00.
    eventually("day one", || async {
        (sent(&app).await == 2 && deferred(&app).await == 3).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(app.whatsapp.requests().len(), 2);
    let next: Vec<DateTime<Utc>> = sqlx::query_scalar(
        "select distinct send_after from campaign_recipients where campaign_id = $1 and status = 'pending'",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(next, vec![cancun(1, 9, 0)]);
    // Day two: two more; day three: the last.
    clock.set(cancun(1, 9, 0));
    eventually("day two", || async {
        (sent(&app).await == 4).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sent(&app).await, 4);
    clock.set(cancun(2, 9, 0));
    let rows = settled(&app, id).await;
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    assert_eq!(app.whatsapp.requests().len(), 5);
    let per_day: Vec<i64> =
        sqlx::query_scalar("select count(*) from marketing_daily_sends group by day order by day")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(per_day, vec![2, 2, 1]);
}

/// Sends a one-client campaign after queueing `failure` on the fake; returns the row's fate.
async fn one(
    app: &ServeApp,
    approver: i64,
    to: To,
    failure: Option<i64>,
) -> (i64, (String, Option<String>)) {
    if let Some(code) = failure {
        app.whatsapp.fail_next_send_error(code);
    }
    let id = approved(
        app,
        approver,
        &format!("Uno {}", to.owner_id),
        std::slice::from_ref(&to),
    )
    .await;
    (id, fate(app, id, to.owner_id).await)
}

#[tokio::test]
async fn each_cloud_api_refusal_has_its_outcome() {
    let (app, clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 10).await;
    let to = |i: usize| To::whatsapp(c[i].0, &c[i].1);
    let fate_of =
        |status: &str, failure: Option<&str>| (status.to_string(), failure.map(str::to_string));

    // 131050: the client stopped marketing → failed, opted out, consent withdrawn.
    let (id, outcome) = one(&app, approver, to(0), Some(131_050)).await;
    assert_eq!(outcome, fate_of("failed", Some("stopped_marketing")));
    let bounce: (bool, String) = sqlx::query_as(
        "select granted, source from consent_events where owner_id = $1 and channel = 'whatsapp'
          order by id desc limit 1",
    )
    .bind(c[0].0)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(bounce, (false, "bounce".to_string()));
    let opted: bool = sqlx::query_scalar(
        "select opted_out_at is not null from campaign_recipients where campaign_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(opted);

    // 131049: the per-user marketing limit → once more, 24 h later.
    let (id, outcome) = one(&app, approver, to(1), Some(131_049)).await;
    assert_eq!(outcome.0, "pending");
    let after: DateTime<Utc> =
        sqlx::query_scalar("select send_after from campaign_recipients where campaign_id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(after, cancun(1, 12, 0));
    // 131026 and an invalid parameter: failed at once, never retried.
    let (_, outcome) = one(&app, approver, to(2), Some(131_026)).await;
    assert_eq!(outcome, fate_of("failed", Some("undeliverable")));
    let (_, outcome) = one(&app, approver, to(3), Some(100)).await;
    assert_eq!(outcome, fate_of("failed", Some("invalid_request")));
    // No template outside the window: needs_template, nothing sent.
    let (_, outcome) = one(&app, approver, to(4).without_template(), None).await;
    assert_eq!(outcome, fate_of("needs_template", Some("needs_template")));
    assert_eq!(app.whatsapp.messages_to(&c[4].1), 0);
    // A US number gets no marketing template.
    let us = To::whatsapp(c[5].0, "12125550123");
    let (_, outcome) = one(&app, approver, us, None).await;
    assert_eq!(outcome, fate_of("skipped", Some("us_number")));
    assert_eq!(app.whatsapp.messages_to("12125550123"), 0);
    // 131047 on free text inside the window (it closed meanwhile) → the template goes.
    wrote_recently(&app, c[6].0, &c[6].1).await;
    let (_, outcome) = one(&app, approver, to(6), Some(131_047)).await;
    assert_eq!(outcome, fate_of("sent", None));
    let requests: Vec<String> = app
        .whatsapp
        .requests()
        .into_iter()
        .filter(|r| r.body["to"] == c[6].1.as_str())
        .map(|r| r.body["type"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(requests, ["text", "template"]);
    // 130429: back off, then sent once.
    let (id, outcome) = one(&app, approver, to(7), Some(130_429)).await;
    assert_eq!(outcome.0, "pending");
    clock.set(cancun(0, 12, 1));
    let rows = settled(&app, id).await;
    assert_eq!(rows[0].1, "sent");
    assert_eq!(
        app.whatsapp.messages_to(&c[7].1),
        2,
        "one refused, one sent"
    );

    // Nothing above is retried: the 24 h retry waits for the next day.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for (i, n) in [(0, 1), (1, 1), (2, 1), (3, 1)] {
        assert_eq!(app.whatsapp.messages_to(&c[i].1), n, "client {i}");
    }
    clock.set(cancun(1, 12, 0));
    let (status, _) = eventually("the 131049 retry", || {
        let pool = app.db.pool.clone();
        let owner = c[1].0;
        async move {
            sqlx::query_as::<_, (String, Option<String>)>(
                "select status, failure from campaign_recipients where owner_id = $1 and status = 'sent'",
            )
            .bind(owner)
            .fetch_optional(&pool)
            .await
            .unwrap()
        }
    })
    .await;
    assert_eq!(status, "sent");
    assert_eq!(
        app.whatsapp.messages_to(&c[1].1),
        2,
        "refused once, sent once"
    );
}

#[tokio::test]
async fn telegram_goes_only_to_clients_who_linked_their_chat() {
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 2).await;
    sqlx::query("insert into client_chats (owner_id, channel, chat_id) values ($1, 'telegram', '777000111')")
        .bind(c[0].0)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let mut linked = To::whatsapp(c[0].0, "777000111");
    linked.channel = "telegram";
    let mut unlinked = To::whatsapp(c[1].0, "777000222");
    unlinked.channel = "telegram";
    let id = approved(&app, approver, "Telegram", &[linked, unlinked]).await;
    let rows = settled(&app, id).await;
    assert_eq!(
        rows,
        vec![
            (c[0].0, "sent".to_string()),
            (c[1].0, "skipped".to_string())
        ]
    );
    assert_eq!(texts_to(&app, 777_000_111).len(), 1);
    assert!(texts_to(&app, 777_000_111)[0].contains("Responde BAJA"));
    assert!(texts_to(&app, 777_000_222).is_empty());
}

#[tokio::test]
async fn delivery_statuses_move_rows_forward_only_and_a_late_131050_opts_out() {
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 2).await;
    let to: Vec<To> = c.iter().map(|(id, chat)| To::whatsapp(*id, chat)).collect();
    let id = approved(&app, approver, "Estados", &to).await;
    settled(&app, id).await;
    let wamid = |owner: i64| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select platform_message_id from campaign_recipients where campaign_id = $1 and owner_id = $2",
            )
            .bind(id)
            .bind(owner)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (first, second) = (wamid(c[0].0).await, wamid(c[1].0).await);
    // Out of order: read, then delivered, then read again (a redelivery).
    for status in ["read", "delivered", "read"] {
        let update = p::whatsapp_status_update(p::whatsapp_status(&first, &c[0].1, status));
        assert_eq!(app.post_whatsapp(&update).await, 200);
    }
    let failed = p::whatsapp_failed_status(
        &second,
        &c[1].1,
        131_050,
        "User has stopped marketing messages",
    );
    assert_eq!(
        app.post_whatsapp(&p::whatsapp_status_update(failed)).await,
        200
    );
    let rows: Vec<(String, bool, bool, Option<String>, bool)> = sqlx::query_as(
        "select status, delivered_at is not null, read_at is not null, failure, opted_out_at is not null
           from campaign_recipients where campaign_id = $1 order by owner_id",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("read".to_string(), true, true, None, false),
            (
                "failed".to_string(),
                false,
                false,
                Some("stopped_marketing".to_string()),
                true
            ),
        ]
    );
    let withdrawn: i64 = sqlx::query_scalar(
        "select count(*) from consent_events where owner_id = $1 and not granted and source = 'bounce'",
    )
    .bind(c[1].0)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(withdrawn, 1);
}

#[tokio::test]
async fn the_owner_asks_how_the_campaign_went_and_sees_the_lift_against_the_holdout() {
    // Arrange: a reactivation sent 100 days before the demo's today to 6 clients (4 came
    // back), with 4 kept out (1 came back); Dr. Pablo is linked on Telegram.
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![]).await;
    let approver = owner(&app).await;
    let c = clients(&app, 10).await;
    let mut to: Vec<To> = c[..6]
        .iter()
        .map(|(id, chat)| To::whatsapp(*id, chat))
        .collect();
    to.extend(c[6..].iter().map(|(id, _)| To::holdout(*id)));
    let id = paused(&app, approver, "Reactivación agosto", &to).await;
    // Written as it ended.
    let start = cancun(0, 12, 0) - chrono::Duration::days(100);
    sqlx::query(
        "update marketing_campaigns set status = 'sent', sent_at = $2, finished_at = $2,
                scheduled_for = null where id = $1",
    )
    .bind(id)
    .bind(start)
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "update campaign_recipients set status = case when owner_id = $3 then 'failed' else 'read' end,
                failure = case when owner_id = $3 then 'undeliverable' end,
                sent_at = case when owner_id = $3 then null else $2 end,
                delivered_at = case when owner_id = $3 then null else $2 end,
                read_at = case when owner_id = $3 then null else $2 end
          where campaign_id = $1 and role = 'target'",
    )
    .bind(id)
    .bind(start)
    .bind(c[5].0)
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Who came back: clean slate after the start, then completed visits for 4 targets and
    // 1 holdout client, 10-20 days after it.
    let ids: Vec<i64> = c.iter().map(|(id, _)| *id).collect();
    sqlx::query("delete from appointments where owner_id = any($1) and scheduled_at > $2")
        .bind(&ids)
        .bind(start)
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("delete from orders where owner_id = any($1) and ordered_at > $2")
        .bind(&ids)
        .bind(start)
        .execute(&app.db.pool)
        .await
        .unwrap();
    for (i, days) in [(0, 10), (1, 12), (2, 45), (3, 70), (6, 20)] {
        sqlx::query(
            "insert into appointments (owner_id, kind, status, scheduled_at)
             values ($1, 'checkup', 'completed', $2)",
        )
        .bind(c[i].0)
        .bind(start + chrono::Duration::days(days))
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    // Act: the owner asks on Telegram.
    let ask = p::telegram_text_update(900, TG_OWNER, "¿cómo va la campaña de reactivación?");
    assert_eq!(app.post_telegram(&ask).await, 200);
    // The card is the caption of its chart (messaged against holdout), continued in a
    // message when longer than a caption.
    let photo = eventually("the results' chart", || {
        let photos = app.telegram.requests_for("sendPhoto").into_iter();
        std::future::ready(photos.into_iter().find(|r| {
            let caption = r.body["caption"].as_str().unwrap_or_default();
            caption.contains("Campaña: Reactivación agosto")
        }))
    })
    .await;
    app.all_processed().await;
    assert_eq!(&photo.files[0].bytes[..4], b"\x89PNG");
    let mut text = photo.body["caption"].as_str().unwrap().to_owned();
    let chat = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    for message in app.telegram.requests_for("sendMessage") {
        if message.at > photo.at && chat(&message.body["chat_id"]) == chat(&photo.body["chat_id"]) {
            text.push('\n');
            text.push_str(message.body["text"].as_str().unwrap_or_default());
        }
    }
    // Assert: sends, the failure's reason, and the lift per window with n per arm.
    for words in [
        "Destinatarios: <b>6</b>",
        "Enviados: <b>5 (83.3%)</b>",
        "Leídos (mínimo): <b>5",
        "No se entregaron: <b>1 (1 número sin WhatsApp)</b>",
        "30 días:</b> mensaje 33.3% 2/6 · control 25.0% 1/4",
        "60 días:</b> mensaje 50.0% 3/6",
        "90 días:</b> mensaje 66.7% 4/6 · control 25.0% 1/4 · diferencia +41.7 pts (IC 95 %: -16.3 pts a +72.9 pts)",
        "Aún no se distingue del azar",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
    // A staff member may not see it.
    let staff = app.link_telegram_staff().await;
    assert!(staff > 0);
    let ask = p::telegram_text_update(901, TG_STAFF, "resultados de la campaña");
    assert_eq!(app.post_telegram(&ask).await, 200);
    app.telegram_message("No tienes permiso para ver los reportes")
        .await;
}

#[tokio::test]
async fn the_terminal_demo_appends_approved_messages_to_a_local_log_once() {
    // Arrange: a campaign approved in the terminal chat, for two clients.
    let db = TestDb::demo().await;
    let dir = std::env::temp_dir().join(format!("vetbot-demo-log-{}", db.name()));
    let path = bot::marketing::send::terminal::log_path(&dir);
    let id: i64 = sqlx::query_scalar(
        "insert into marketing_campaigns (name, campaign_type, status, body, kind, version,
             approved_at, approved_version, origin_channel, origin_chat)
         values ('Demo', 'whatsapp', 'approved', 'Hola', 'announcement', 1, now(), 1, 'terminal', 'local')
         returning id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into campaign_recipients (campaign_id, owner_id, role, channel, chat_id, body)
         select $1, id, 'target', 'terminal', 'local', 'Hola ' || first_name || ', cerramos el 24. Responde BAJA para no recibir más.'
           from owners order by id limit 2",
    )
    .bind(id)
    .execute(&db.pool)
    .await
    .unwrap();
    // Act: approved twice (the same button pressed again).
    let first = bot::marketing::send::terminal::send(&db.pool, id, &path)
        .await
        .unwrap();
    let again = bot::marketing::send::terminal::send(&db.pool, id, &path)
        .await
        .unwrap();
    // Assert
    assert_eq!((first.sent, again.sent), (2, 0));
    let log = std::fs::read_to_string(&path).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.contains("cerramos el 24"), "{log}");
    let (status, comms): (String, i64) = sqlx::query_as(
        "select c.status, (select count(*) from communications m where m.campaign_id = c.id)
           from marketing_campaigns c where c.id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), comms), ("sent", 2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn at_risk_then_yes_to_two_clients_then_the_owners_yes_sends_exactly_two_templates() {
    // Arrange: templates configured; Dr. Pablo (an owner) on Telegram.
    let templates = (
        "WHATSAPP_TEMPLATES",
        "reactivation=reactivacion_v1:es_MX".to_string(),
    );
    let (app, _clock) = start_at(cancun(0, 12, 0), vec![templates]).await;
    let member = app.link_telegram_staff().await;
    sqlx::query("update staff set role = 'owner' where id = $1")
        .bind(member)
        .execute(&app.db.pool)
        .await
        .unwrap();
    // Both agreed to WhatsApp promotions (recorded by staff).
    sqlx::query(
        "insert into consent_events (owner_id, channel, purpose, granted, source)
         select id, 'whatsapp', 'marketing', true, 'staff' from owners
          where full_name in ('Carlos Méndez', 'Roberto Sánchez')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Act: the at-risk list, "sí, a Carlos y Roberto", the preview, "sí".
    let say = |id: i64, text: &str| p::telegram_text_update(id, TG_STAFF, text);
    assert_eq!(
        app.post_telegram(&say(10, "¿A quiénes no hemos visto en un tiempo?"))
            .await,
        200
    );
    app.telegram_message("Carlos Méndez").await;
    assert_eq!(
        app.post_telegram(&say(11, "sí, a Carlos y Roberto")).await,
        200
    );
    let preview = app.telegram_message("Lo recibirán").await;
    let preview = preview.body["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(preview.contains("Lo recibirán: <b>2</b>"), "{preview}");
    assert_eq!(app.post_telegram(&say(12, "sí")).await, 200);
    app.telegram_message("aprobada").await;
    // Assert: exactly two template sends, one to each, with the client's name first.
    let id: i64 = sqlx::query_scalar("select max(id) from marketing_campaigns")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let rows = settled(&app, id).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|(_, s)| s == "sent"), "{rows:?}");
    let mut sent: Vec<(String, String)> = app
        .whatsapp
        .sent_templates()
        .into_iter()
        .map(|(_, name, _, params)| (name, params[0].clone()))
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        vec![
            ("reactivacion_v1".to_string(), "Carlos".to_string()),
            ("reactivacion_v1".to_string(), "Roberto".to_string())
        ]
    );
    assert_eq!(
        app.whatsapp.requests().len(),
        2,
        "nothing else went to WhatsApp"
    );
}
