//! Loyalty (#13): earn once per paid order (excluded categories earn nothing), redeem never
//! below zero, owner-only adjustments, expiry with a controllable clock, tiers at their
//! thresholds, and every account's balance equal to the sum of its transactions after
//! every operation.

use bot::domain::{Lang, LoyaltyTier};
use bot::loyalty::{self, LoyaltySettings};
use bot::tools::{self, ToolError};
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use sqlx::PgPool;
use tests::tools::{call, card, context};
use tests::TestDb;

/// Noon of a day in 2026 (UTC): the tests' controllable "now".
fn day(month: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, d, 17, 0, 0).unwrap()
}

/// A migrated clinic with two staff (1 owner, 2 staff), products of two categories and
/// clients Ana (1) and Beto (2).
async fn clinic() -> TestDb {
    let db = TestDb::migrated().await;
    for sql in [
        "insert into staff (id, name, role) values (1, 'Dr. Pablo', 'owner'), (2, 'Lupita', 'staff')",
        "insert into owners (id, first_name, last_name) values (1, 'Ana', 'López'), (2, 'Beto', 'Ruiz'), (3, 'Sin', 'Perfil')",
        "insert into owner_profiles (owner_id) values (1), (2), (3)",
        "insert into products (id, sku, name, category, price) values
            (1, 'F1', 'Croquetas', 'food', 1000), (2, 'M1', 'Antibiótico', 'medicine', 500),
            (3, 'T1', 'Pelota', 'toy', 19.99)",
        "select setval('owners_id_seq', 3)",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
    db
}

/// A completed order of owner `owner` at `at` with (product, quantity, unit price) items.
async fn order(pool: &PgPool, owner: i64, at: DateTime<Utc>, items: &[(i64, i32, Decimal)]) -> i64 {
    let total: Decimal = items.iter().map(|(_, q, p)| Decimal::from(*q) * p).sum();
    let id: i64 = sqlx::query_scalar(
        "insert into orders (owner_id, ordered_at, total) values ($1, $2, $3) returning id",
    )
    .bind(owner)
    .bind(at)
    .bind(total)
    .fetch_one(pool)
    .await
    .unwrap();
    for (product, quantity, price) in items {
        sqlx::query("insert into order_items (order_id, product_id, quantity, unit_price) values ($1, $2, $3, $4)")
            .bind(id)
            .bind(product)
            .bind(quantity)
            .bind(price)
            .execute(pool)
            .await
            .unwrap();
    }
    id
}

/// Every account's balance and totals equal the sums of its transactions, none negative.
async fn assert_ledger(pool: &PgPool) {
    let wrong: Vec<(i64, i32, i64)> = sqlx::query_as(
        "select p.owner_id, p.points_balance, coalesce(sum(t.points), 0)
           from loyalty_programs p left join loyalty_transactions t on t.loyalty_id = p.id
          group by p.id
         having p.points_balance <> coalesce(sum(t.points), 0)
             or p.points_earned_total <> coalesce(sum(t.points) filter (where t.transaction_type = 'earn'), 0)
             or p.points_redeemed_total <> coalesce(-sum(t.points) filter (where t.transaction_type = 'redeem'), 0)
             or p.points_balance < 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        wrong.is_empty(),
        "balances differ from the ledger: {wrong:?}"
    );
}

async fn balance(pool: &PgPool, owner: i64) -> i32 {
    sqlx::query_scalar(
        "select coalesce((select points_balance from loyalty_programs where owner_id = $1), 0)",
    )
    .bind(owner)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn a_paid_order_earns_five_percent_once_and_medicine_earns_nothing() {
    let db = clinic().await;
    let s = LoyaltySettings::default();
    // 2 × $1,000 food + $500 medicine + 1 × $19.99 toy: 5 % of $2,019.99 = 100.9995 → 100.
    let paid = order(
        &db.pool,
        1,
        day(3, 1),
        &[(1, 2, dec!(1000)), (2, 1, dec!(500)), (3, 1, dec!(19.99))],
    )
    .await;
    // Medicine only: earns nothing. Cancelled: earns nothing.
    order(&db.pool, 2, day(3, 2), &[(2, 4, dec!(500))]).await;
    let cancelled = order(&db.pool, 2, day(3, 3), &[(1, 1, dec!(1000))]).await;
    sqlx::query("update orders set status = 'cancelled' where id = $1")
        .bind(cancelled)
        .execute(&db.pool)
        .await
        .unwrap();

    let out = loyalty::nightly(&db.pool, &s, day(3, 4)).await.unwrap();
    assert_eq!(out.earned_orders, 1);
    assert_eq!(
        (balance(&db.pool, 1).await, balance(&db.pool, 2).await),
        (100, 0)
    );
    assert_ledger(&db.pool).await;

    // Recomputed, re-run, the order edited or imported again: never a second earn.
    loyalty::earn::earn(&mut db.pool.acquire().await.unwrap(), &s)
        .await
        .unwrap();
    sqlx::query("update orders set total = total + 1000 where id = $1")
        .bind(paid)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("update order_items set quantity = 5 where order_id = $1 and product_id = 1")
        .bind(paid)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        loyalty::nightly(&db.pool, &s, day(3, 5))
            .await
            .unwrap()
            .earned_orders,
        0
    );
    let dup = sqlx::query(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points, related_order_id)
         select id, 'earn', 10, $1 from loyalty_programs where owner_id = 1",
    )
    .bind(paid)
    .execute(&db.pool)
    .await;
    assert!(
        dup.is_err(),
        "a second earn row for one order is refused by the database"
    );
    assert_eq!(balance(&db.pool, 1).await, 100);
    let earn: (String, DateTime<Utc>) = sqlx::query_as(
        "select description, created_at from loyalty_transactions where related_order_id = $1",
    )
    .bind(paid)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        earn,
        (format!("Compra #{paid}"), day(3, 1)),
        "dated at the purchase"
    );

    // The cancelled order is paid after all: it earns then, once.
    sqlx::query("update orders set status = 'completed' where id = $1")
        .bind(cancelled)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        loyalty::nightly(&db.pool, &s, day(3, 6))
            .await
            .unwrap()
            .earned_orders,
        1
    );
    assert_eq!(balance(&db.pool, 2).await, 50);
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn the_rate_and_excluded_categories_are_configuration() {
    let db = clinic().await;
    let s = LoyaltySettings::from_lookup(&|name: &str| match name {
        "LOYALTY_EARN_PERCENT" => Some("10".into()),
        "LOYALTY_EXCLUDED_CATEGORIES" => Some("food".into()),
        _ => None,
    })
    .unwrap();
    order(
        &db.pool,
        1,
        day(3, 1),
        &[(1, 1, dec!(1000)), (2, 1, dec!(500))],
    )
    .await;
    loyalty::nightly(&db.pool, &s, day(3, 2)).await.unwrap();
    assert_eq!(balance(&db.pool, 1).await, 50, "10 % of the medicine only");
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn staff_redeem_never_below_zero_with_a_reason_and_once_per_message() {
    let db = clinic().await;
    order(&db.pool, 1, day(3, 1), &[(1, 5, dec!(1000))]).await; // 250 points
    loyalty::nightly(&db.pool, &LoyaltySettings::default(), day(3, 2))
        .await
        .unwrap();
    let mut ctx = context(&db.pool, Lang::Es).await;
    ctx.staff_id = Some(2); // Lupita, role staff
    ctx.source = Some("telegram:41".into());
    let args = json!({"user_id": 1, "points": 200, "reason": "Descuento en consulta"});
    let out = tools::call(&ctx, "redeem_points", args.clone())
        .await
        .unwrap();
    assert_eq!(out.data["balance"], 50);
    let text = out.card.render(bot::render::Markup::Plain);
    assert!(
        text.contains("Canjeados 200 puntos de Ana López") && text.contains("50 puntos"),
        "{text}"
    );
    // The same message again (a retry): nothing more is taken.
    assert_eq!(
        tools::call(&ctx, "redeem_points", args).await.unwrap().data["balance"],
        50
    );
    assert_ledger(&db.pool).await;

    ctx.source = Some("telegram:42".into());
    let over = tools::call(
        &ctx,
        "redeem_points",
        json!({"user_id": 1, "points": 51, "reason": "x"}),
    )
    .await;
    assert!(
        matches!(
            over,
            Err(ToolError::InsufficientPoints {
                balance: 50,
                asked: 51
            })
        ),
        "{over:?}"
    );
    assert!(over
        .unwrap_err()
        .card(Lang::Es)
        .render(bot::render::Markup::Plain)
        .contains("tiene 50 puntos"));
    for bad in [
        json!({"user_id": 1, "points": 0, "reason": "x"}),
        json!({"user_id": 1, "points": -5, "reason": "x"}),
        json!({"user_id": 1, "points": 5, "reason": "  "}),
        json!({"user_id": 1, "points": 5}),
    ] {
        let e = tools::call(&ctx, "redeem_points", bad.clone()).await;
        assert!(
            matches!(e, Err(ToolError::InvalidArguments(_))),
            "{bad}: {e:?}"
        );
    }
    assert!(matches!(
        tools::call(
            &ctx,
            "redeem_points",
            json!({"user_id": 99, "points": 5, "reason": "x"})
        )
        .await,
        Err(ToolError::NotFound(_))
    ));
    // Who redeemed, why, from which message; and the audit log has the write.
    let row: (i64, i32, String, Option<i64>) = sqlx::query_as(
        "select count(*), sum(points)::int, min(description), min(staff_id) from loyalty_transactions where transaction_type = 'redeem'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(row, (1, -200, "Descuento en consulta".into(), Some(2)));
    assert!(
        count(
            &db.pool,
            "select count(*) from audit_log where tool = 'redeem_points' and staff_id = 2"
        )
        .await
            >= 2
    );
    // The database refuses an overdraft whoever writes it.
    let overdraft = sqlx::query(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points) select id, 'redeem', -51 from loyalty_programs where owner_id = 1",
    )
    .execute(&db.pool)
    .await;
    assert!(overdraft.is_err());
    // And a ledger row never changes.
    assert!(sqlx::query("update loyalty_transactions set points = 1")
        .execute(&db.pool)
        .await
        .is_err());
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn two_redemptions_at_once_never_overdraw() {
    let db = clinic().await;
    order(&db.pool, 1, day(3, 1), &[(1, 2, dec!(1000))]).await; // 100 points
    loyalty::nightly(&db.pool, &LoyaltySettings::default(), day(3, 2))
        .await
        .unwrap();
    let ctx = context(&db.pool, Lang::Es).await;
    let (a, b) = tokio::join!(
        tools::call(
            &ctx,
            "redeem_points",
            json!({"user_id": 1, "points": 70, "reason": "a"})
        ),
        tools::call(
            &ctx,
            "redeem_points",
            json!({"user_id": 1, "points": 70, "reason": "b"})
        ),
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);
    assert_eq!(balance(&db.pool, 1).await, 30);
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn only_owners_adjust_and_a_reason_is_required() {
    let db = clinic().await;
    let mut ctx = context(&db.pool, Lang::En).await;
    ctx.staff_id = Some(2);
    let args = json!({"user_id": 2, "points": 300, "reason": "Welcome gift"});
    let refused = tools::call(&ctx, "adjust_points", args.clone()).await;
    let Err(ToolError::Forbidden(denied)) = refused else {
        panic!("{refused:?}")
    };
    assert!(
        denied.message(Lang::En).contains("adjust loyalty points")
            && denied.message(Lang::En).contains("Dr. Pablo")
    );
    assert_eq!(balance(&db.pool, 2).await, 0);
    // Staff are not even offered the tool.
    assert!(!bot::access::offered(&ctx)
        .await
        .iter()
        .any(|d| d.name == "adjust_points"));

    ctx.staff_id = Some(1);
    let out = tools::call(&ctx, "adjust_points", args).await.unwrap();
    assert_eq!(out.data["balance"], 300);
    assert!(out
        .card
        .render(bot::render::Markup::Plain)
        .contains("Added 300 points to Beto Ruiz"));
    let minus = tools::call(
        &ctx,
        "adjust_points",
        json!({"user_id": 2, "points": -301, "reason": "typo"}),
    )
    .await;
    assert!(matches!(
        minus,
        Err(ToolError::InsufficientPoints {
            balance: 300,
            asked: 301
        })
    ));
    assert!(matches!(
        tools::call(
            &ctx,
            "adjust_points",
            json!({"user_id": 2, "points": -100, "reason": ""})
        )
        .await,
        Err(ToolError::InvalidArguments(_))
    ));
    tools::call(
        &ctx,
        "adjust_points",
        json!({"user_id": 2, "points": -100, "reason": "typo"}),
    )
    .await
    .unwrap();
    assert_eq!(balance(&db.pool, 2).await, 200);
    // A clinic may grant adjustments to staff.
    sqlx::query("insert into staff_permissions (action) values ('loyalty_adjustments')")
        .execute(&db.pool)
        .await
        .unwrap();
    ctx.staff_id = Some(2);
    tools::call(
        &ctx,
        "adjust_points",
        json!({"user_id": 2, "points": 5, "reason": "granted"}),
    )
    .await
    .unwrap();
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn points_expire_after_the_configured_months_without_activity() {
    let db = clinic().await;
    let s = LoyaltySettings::default();
    order(&db.pool, 1, day(1, 10), &[(1, 2, dec!(1000))]).await; // Ana: 100 on 10 Jan 2026
    order(&db.pool, 2, day(1, 10), &[(1, 2, dec!(1000))]).await; // Beto: 100, then a redemption
    loyalty::nightly(&db.pool, &s, day(1, 11)).await.unwrap();
    let ctx = context(&db.pool, Lang::Es).await;
    // Beto redeems on 1 Jun: activity; the clock of the write is the database's, so date it.
    tools::call(
        &ctx,
        "redeem_points",
        json!({"user_id": 2, "points": 10, "reason": "canje"}),
    )
    .await
    .unwrap();
    let june = day(6, 1);
    sqlx::query("alter table loyalty_transactions disable trigger loyalty_immutable")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query(
        "update loyalty_transactions set created_at = $1 where transaction_type = 'redeem'",
    )
    .bind(june)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("update loyalty_programs set last_activity_at = $1 where owner_id = 2")
        .bind(june)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("alter table loyalty_transactions enable trigger loyalty_immutable")
        .execute(&db.pool)
        .await
        .unwrap();

    // One day short of 12 months: nothing expires.
    let jan_2027 = Utc.with_ymd_and_hms(2027, 1, 9, 17, 0, 0).unwrap();
    assert_eq!(
        loyalty::nightly(&db.pool, &s, jan_2027)
            .await
            .unwrap()
            .expired_accounts,
        0
    );
    // Past 12 months: Ana's 100 expire as one transaction; Beto's later activity keeps his.
    let out = loyalty::nightly(&db.pool, &s, jan_2027 + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(out.expired_accounts, 1);
    assert_eq!(
        (balance(&db.pool, 1).await, balance(&db.pool, 2).await),
        (0, 90)
    );
    let expired: (i32, DateTime<Utc>) = sqlx::query_as(
        "select points, created_at from loyalty_transactions where transaction_type = 'expire'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(expired, (-100, jan_2027 + Duration::days(2)));
    // Nothing more to expire the next night; Beto's expire after June 2027.
    assert_eq!(
        loyalty::nightly(&db.pool, &s, jan_2027 + Duration::days(3))
            .await
            .unwrap()
            .expired_accounts,
        0
    );
    let short = LoyaltySettings {
        expiry_months: 6,
        ..s
    };
    assert_eq!(
        loyalty::nightly(&db.pool, &short, jan_2027 + Duration::days(3))
            .await
            .unwrap()
            .expired_accounts,
        1
    );
    assert_eq!(balance(&db.pool, 2).await, 0);
    assert_ledger(&db.pool).await;
    let text = card(&db.pool, Lang::Es, "get_loyalty", json!({"user_id": 1})).await;
    assert!(
        text.contains("Vencimiento") && text.contains("vencidos 100"),
        "{text}"
    );
}

#[tokio::test]
async fn tiers_follow_rolling_twelve_month_spend_at_the_thresholds() {
    let db = clinic().await;
    let s = LoyaltySettings::default();
    // Ana: exactly $5,000 in the window → silver; Beto: $4,999.99 → bronze.
    order(&db.pool, 1, day(2, 1), &[(1, 5, dec!(1000))]).await;
    order(
        &db.pool,
        2,
        day(2, 1),
        &[(1, 4, dec!(1000)), (3, 1, dec!(999.99))],
    )
    .await;
    let out = loyalty::nightly(&db.pool, &s, day(3, 1)).await.unwrap();
    assert_eq!(out.tier_changes.len(), 1);
    assert_eq!(
        (
            out.tier_changes[0].owner_id,
            out.tier_changes[0].from,
            out.tier_changes[0].to
        ),
        (1, LoyaltyTier::Bronze, LoyaltyTier::Silver)
    );
    assert_eq!(out.tier_changes[0].spend_12m, dec!(5000));
    // Ana reaches $10,000 (gold), then $20,000 (platinum, medicine counts as spend).
    order(&db.pool, 1, day(3, 2), &[(2, 10, dec!(500))]).await;
    let out = loyalty::nightly(&db.pool, &s, day(3, 3)).await.unwrap();
    assert_eq!(
        out.tier_changes.iter().map(|c| c.to).collect::<Vec<_>>(),
        vec![LoyaltyTier::Gold]
    );
    order(&db.pool, 1, day(3, 4), &[(1, 10, dec!(1000))]).await;
    let out = loyalty::nightly(&db.pool, &s, day(3, 5)).await.unwrap();
    assert_eq!(
        out.tier_changes.iter().map(|c| c.to).collect::<Vec<_>>(),
        vec![LoyaltyTier::Platinum]
    );
    // No change, no record.
    assert!(loyalty::nightly(&db.pool, &s, day(3, 6))
        .await
        .unwrap()
        .tier_changes
        .is_empty());
    // A year after the February order, it leaves the window: $15,000 → gold again.
    let out = loyalty::nightly(
        &db.pool,
        &s,
        Utc.with_ymd_and_hms(2027, 2, 2, 17, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        out.tier_changes
            .iter()
            .map(|c| (c.owner_id, c.to))
            .collect::<Vec<_>>(),
        vec![(1, LoyaltyTier::Gold)]
    );
    // Every change is kept, unreported, for the owner's morning digest.
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from loyalty_tier_changes where reported_at is null"
        )
        .await,
        4
    );
    // Configurable thresholds.
    let low = LoyaltySettings {
        tiers: loyalty::Tiers {
            silver: dec!(1),
            gold: dec!(2),
            platinum: dec!(3),
        },
        ..s
    };
    let late = Utc.with_ymd_and_hms(2027, 3, 3, 17, 0, 0).unwrap();
    order(
        &db.pool,
        2,
        late - Duration::days(1),
        &[(3, 1, dec!(19.99))],
    )
    .await;
    let out = loyalty::nightly(&db.pool, &low, late).await.unwrap();
    assert!(
        out.tier_changes.contains(&loyalty::TierChange {
            owner_id: 2,
            from: LoyaltyTier::Bronze,
            to: LoyaltyTier::Platinum,
            spend_12m: dec!(19.99)
        }),
        "{:?}",
        out.tier_changes
    );
    assert_ledger(&db.pool).await;
}

#[tokio::test]
async fn get_loyalty_shows_balance_tier_and_movements_and_the_profile_data_has_them() {
    let db = clinic().await;
    order(&db.pool, 1, day(3, 1), &[(1, 6, dec!(1000))]).await; // 300 points, silver
    loyalty::nightly(&db.pool, &LoyaltySettings::default(), day(3, 2))
        .await
        .unwrap();
    call(
        &db.pool,
        "redeem_points",
        json!({"user_id": 1, "points": 120, "reason": "Baño gratis"}),
    )
    .await
    .unwrap();
    let text = card(&db.pool, Lang::Es, "get_loyalty", json!({"user_id": 1})).await;
    for want in [
        "Ana López",
        "180 puntos",
        "$180 MXN",
        "Plata",
        "Ganados 300",
        "canjeados 120",
        "Baño gratis",
        "Compra #",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    let en = card(&db.pool, Lang::En, "get_loyalty", json!({"user_id": 1})).await;
    assert!(en.contains("180 points") && en.contains("Silver"), "{en}");
    // The profile's data for the model carries them.
    let profile = call(&db.pool, "get_owner_profile", json!({"user_id": 1}))
        .await
        .unwrap();
    assert_eq!(
        (
            profile.data["loyalty"]["points"].as_i64(),
            profile.data["loyalty"]["tier"].as_str()
        ),
        (Some(180), Some("silver")),
        "{}",
        profile.data
    );
    // A client without an account yet reads as bronze with 0 points.
    let none = call(&db.pool, "get_loyalty", json!({"user_id": 2}))
        .await
        .unwrap();
    assert_eq!(
        (none.data["balance"].as_i64(), none.data["tier"].as_str()),
        (Some(0), Some("bronze"))
    );
}

/// Lupita (demo staff 2, role `staff`) on Telegram.
const LUPITA: &str = "700002";

async fn ask(
    engine: &bot::brain::engine::Engine,
    channel: &str,
    sender: &str,
    text: &str,
) -> String {
    let msg = bot::brain::engine::Incoming {
        channel: channel.into(),
        chat_id: sender.into(),
        sender_id: sender.into(),
        text: text.into(),
    };
    engine
        .handle(&msg)
        .await
        .unwrap()
        .reply
        .render(bot::render::Markup::Plain)
}

#[tokio::test]
async fn staff_redeem_and_look_up_points_in_the_chat_of_the_demo_clinic() {
    let db = TestDb::demo().await;
    sqlx::query(
        "insert into staff_identities (staff_id, channel, external_id) values (2, 'telegram', $1)",
    )
    .bind(LUPITA)
    .execute(&db.pool)
    .await
    .unwrap();
    // The demo clinic earned through the job: José has points, every balance is its ledger.
    // (The story's María has no account in the seeded demo: her story card has no loyalty
    // line.)
    assert_ledger(&db.pool).await;
    let jose: i64 = sqlx::query_scalar("select id from owners where full_name = 'José Martínez'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let before = balance(&db.pool, jose).await;
    assert!(before >= 50, "{before}");
    let engine = bot::brain::engine::Engine::new(db.pool.clone(), None);
    let shown = ask(
        &engine,
        "telegram",
        LUPITA,
        "¿cuántos puntos tiene José Martínez?",
    )
    .await;
    assert!(
        shown.contains("José Martínez") && shown.contains(&format!("{before} puntos")),
        "{shown}"
    );
    let done = ask(
        &engine,
        "telegram",
        LUPITA,
        "canjea 50 puntos de José Martínez por baño gratis",
    )
    .await;
    assert!(
        done.contains("Canjeados 50 puntos de José Martínez — baño gratis"),
        "{done}"
    );
    assert_eq!(balance(&db.pool, jose).await, before - 50);
    // After his card, «canjeale» means him; too many points is refused and nothing changes.
    let refused = ask(
        &engine,
        "telegram",
        LUPITA,
        &format!("canjeale {} puntos", before),
    )
    .await;
    assert!(refused.contains("No hice ningún cambio"), "{refused}");
    assert_eq!(balance(&db.pool, jose).await, before - 50);
    let en = ask(&engine, "telegram", LUPITA, "/points Sarah Johnson").await;
    assert!(en.contains("Sarah Johnson"), "{en}");
    // The loyalty report is owner-only.
    let report = ask(&engine, "telegram", LUPITA, "reporte de lealtad").await;
    assert!(
        report.contains("Solo el dueño de la clínica (Dr. Pablo)"),
        "{report}"
    );
    let report = ask(&engine, "terminal", "local", "reporte de lealtad").await;
    let outstanding: i64 =
        sqlx::query_scalar("select sum(points_balance)::bigint from loyalty_programs")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let liability = bot::render::fmt::money_cents(Decimal::from(outstanding));
    for want in [
        "Reporte de Lealtad",
        "Puntos otorgados",
        "Puntos canjeados",
        "Puntos vencidos",
        "Puntos revertidos",
        "Miembros por nivel",
        liability.as_str(),
    ] {
        assert!(report.contains(want), "{want}: {report}");
    }
    assert_ledger(&db.pool).await;
}

async fn set_status(pool: &PgPool, order: i64, status: &str) {
    sqlx::query("update orders set status = $2 where id = $1")
        .bind(order)
        .bind(status)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_cancelled_or_refunded_order_gives_its_points_back_once_never_below_zero() {
    let db = clinic().await;
    let s = LoyaltySettings::default();
    // Ana: 100 + 50 points; Beto: 100 points.
    let ana_big = order(&db.pool, 1, day(3, 1), &[(1, 2, dec!(1000))]).await;
    let ana_small = order(&db.pool, 1, day(3, 2), &[(1, 1, dec!(1000))]).await;
    let beto = order(&db.pool, 2, day(3, 1), &[(1, 2, dec!(1000))]).await;
    loyalty::nightly(&db.pool, &s, day(3, 3)).await.unwrap();
    // Ana spends 120 of her 150 at the counter: 30 left.
    call(
        &db.pool,
        "redeem_points",
        json!({"user_id": 1, "points": 120, "reason": "Baño"}),
    )
    .await
    .unwrap();
    let ana_active: Option<DateTime<Utc>> =
        sqlx::query_scalar("select last_activity_at from loyalty_programs where owner_id = 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_ledger(&db.pool).await;

    // Her big order is refunded, Beto's cancelled; the job runs after the redemption (which
    // the database dated at its own now).
    set_status(&db.pool, ana_big, "refunded").await;
    set_status(&db.pool, beto, "cancelled").await;
    let night = |n: i64| Utc::now().duration_trunc(Duration::days(1)).unwrap() + Duration::days(n);
    let out = loyalty::nightly(&db.pool, &s, night(1)).await.unwrap();
    assert_eq!(
        out.reversed,
        loyalty::Reversed {
            orders: 2,
            forgiven: 1
        }
    );
    // Beto loses his 100. Ana's reversal takes the whole 100 in the ledger, but she had 30:
    // the 70 already redeemed are forgiven by an adjustment that says so; she ends at 0.
    assert_eq!(
        (balance(&db.pool, 1).await, balance(&db.pool, 2).await),
        (0, 0)
    );
    let ana: Vec<(String, i32, String, Option<i64>)> = sqlx::query_as(
        "select t.transaction_type, t.points, t.description, t.related_order_id
           from loyalty_transactions t join loyalty_programs p on p.id = t.loyalty_id
          where p.owner_id = 1 and t.created_at = $1 order by t.id",
    )
    .bind(night(1))
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        ana,
        vec![
            (
                "reverse".into(),
                -100,
                format!("Compra #{ana_big} reembolsada"),
                Some(ana_big)
            ),
            (
                "adjust".into(),
                70,
                format!(
                    "Compra #{ana_big}: 70 puntos ya canjeados no se descuentan (el saldo no baja de cero)"
                ),
                Some(ana_big)
            ),
        ]
    );
    assert_ledger(&db.pool).await;
    // A reversal is not activity: Ana's points still expire a year after her redemption.
    let active_after: Option<DateTime<Utc>> =
        sqlx::query_scalar("select last_activity_at from loyalty_programs where owner_id = 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(active_after, ana_active);

    // Exactly once: the next nights reverse nothing, and the database refuses a second
    // reversal of the same order whoever writes it.
    let again = loyalty::nightly(&db.pool, &s, night(2)).await.unwrap();
    assert_eq!(again.reversed, loyalty::Reversed::default());
    let twice = sqlx::query(
        "insert into loyalty_transactions (loyalty_id, transaction_type, points, related_order_id)
         select id, 'reverse', -1, $1 from loyalty_programs where owner_id = 2",
    )
    .bind(beto)
    .execute(&db.pool)
    .await;
    assert!(twice.is_err(), "a second reversal of one order is refused");
    // Completed again after its reversal: an order earns once, so nothing comes back.
    set_status(&db.pool, beto, "completed").await;
    assert_eq!(
        loyalty::nightly(&db.pool, &s, night(3))
            .await
            .unwrap()
            .earned_orders,
        0
    );
    assert_eq!(balance(&db.pool, 2).await, 0);
    // Ana's small order is cancelled too: reversed, and with nothing left to take, all 50
    // are forgiven.
    set_status(&db.pool, ana_small, "cancelled").await;
    let out = loyalty::nightly(&db.pool, &s, night(4)).await.unwrap();
    assert_eq!(
        out.reversed,
        loyalty::Reversed {
            orders: 1,
            forgiven: 1
        }
    );
    assert_eq!(balance(&db.pool, 1).await, 0);
    assert_ledger(&db.pool).await;
    // An order cancelled before the job saw it never earns, so there is nothing to reverse.
    let never = order(&db.pool, 2, night(4), &[(1, 4, dec!(1000))]).await;
    set_status(&db.pool, never, "cancelled").await;
    let out = loyalty::nightly(&db.pool, &s, night(5)).await.unwrap();
    assert_eq!(
        (out.earned_orders, out.reversed),
        (0, loyalty::Reversed::default())
    );
    // Staff see the reversal on the client's card.
    let text = card(&db.pool, Lang::Es, "get_loyalty", json!({"user_id": 2})).await;
    assert!(
        text.contains("Reversión") && text.contains(&format!("Compra #{beto} cancelada")),
        "{text}"
    );
    let en = card(&db.pool, Lang::En, "get_loyalty", json!({"user_id": 2})).await;
    assert!(en.contains("Reversal"), "{en}");
}

#[tokio::test]
async fn every_account_equals_its_ledger_after_every_kind_of_transaction() {
    let db = clinic().await;
    let s = LoyaltySettings::default();
    let paid = order(&db.pool, 1, day(1, 5), &[(1, 4, dec!(1000))]).await; // 200
    order(&db.pool, 2, day(1, 5), &[(1, 2, dec!(1000))]).await; // 100
                                                                // earn
    loyalty::nightly(&db.pool, &s, day(1, 6)).await.unwrap();
    assert_ledger_after(&db.pool, "earn").await;
    // redeem
    call(
        &db.pool,
        "redeem_points",
        json!({"user_id": 1, "points": 150, "reason": "canje"}),
    )
    .await
    .unwrap();
    assert_ledger_after(&db.pool, "redeem").await;
    // adjust, both ways
    let mut ctx = context(&db.pool, Lang::Es).await;
    ctx.staff_id = Some(1);
    for (points, source) in [(25, "t:1"), (-5, "t:2")] {
        ctx.source = Some(source.into());
        tools::call(
            &ctx,
            "adjust_points",
            json!({"user_id": 2, "points": points, "reason": "a mano"}),
        )
        .await
        .unwrap();
    }
    assert_ledger_after(&db.pool, "adjust").await;
    // reverse (with forgiveness: Ana has 50 of the 200 left)
    set_status(&db.pool, paid, "refunded").await;
    loyalty::nightly(&db.pool, &s, day(2, 1)).await.unwrap();
    assert_ledger_after(&db.pool, "reverse").await;
    // expire (Beto's 120, over a year after his adjustment, written at the database's now)
    let out = loyalty::nightly(&db.pool, &s, Utc::now() + Duration::days(400))
        .await
        .unwrap();
    assert_eq!(out.expired_accounts, 1);
    assert_ledger_after(&db.pool, "expire").await;
    let written: Vec<String> =
        sqlx::query_scalar("select distinct transaction_type from loyalty_transactions order by 1")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(written, ["adjust", "earn", "expire", "redeem", "reverse"]);

    // The database itself keeps balances equal to the ledger: a hand-typed balance, an
    // account opened with points, or a deleted transaction is refused...
    sqlx::raw_sql(
        "insert into owners (id, first_name, last_name) values (4, 'Nueva', 'Clienta');
         insert into owner_profiles (owner_id) values (4)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    for (what, sql) in [
        (
            "a balance set by hand",
            "update loyalty_programs set points_balance = points_balance + 10 where owner_id = 2",
        ),
        (
            "a total set by hand",
            "update loyalty_programs set points_earned_total = 0 where owner_id = 1",
        ),
        (
            "an account opened with points",
            "insert into loyalty_programs (owner_id, points_balance) values (4, 10)",
        ),
        (
            "a transaction deleted",
            "delete from loyalty_transactions where transaction_type = 'redeem'",
        ),
    ] {
        let e = sqlx::query(sql).execute(&db.pool).await;
        assert!(e.is_err(), "{what} must be refused");
    }
    // ...while a tier change, a date and a client's deletion (account and ledger go
    // together) are not.
    for sql in [
        "update loyalty_programs set tier = 'gold' where owner_id = 2",
        "update loyalty_programs set last_activity_at = now() where owner_id = 2",
        "delete from owners where id = 2",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap();
    }
    assert_ledger(&db.pool).await;
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from loyalty_programs where owner_id = 2"
        )
        .await,
        0
    );
}

async fn assert_ledger_after(pool: &PgPool, kind: &str) {
    let written = count(
        pool,
        &format!("select count(*) from loyalty_transactions where transaction_type = '{kind}'"),
    )
    .await;
    assert!(written > 0, "no {kind} was written");
    assert_ledger(pool).await;
}

#[tokio::test]
async fn the_profile_card_shows_tier_and_points_only_for_a_client_with_an_account() {
    let db = clinic().await;
    order(&db.pool, 1, day(3, 1), &[(1, 6, dec!(1000))]).await; // 300 points, silver
    loyalty::nightly(&db.pool, &LoyaltySettings::default(), day(3, 2))
        .await
        .unwrap();
    let es = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 1}),
    )
    .await;
    assert!(es.contains("\n🎁 Lealtad: Plata (300 puntos)"), "{es}");
    let en = card(
        &db.pool,
        Lang::En,
        "get_owner_profile",
        json!({"user_id": 1}),
    )
    .await;
    assert!(en.contains("\n🎁 Loyalty: Silver (300 points)"), "{en}");
    // Beto has an account with nothing in it yet: bronze, 0 points, as the ledger says.
    let beto = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 2}),
    )
    .await;
    assert!(beto.contains("🎁 Lealtad: Bronce (0 puntos)"), "{beto}");
    // A client added since the last run has no account: no tier is made up for them.
    sqlx::raw_sql(
        "insert into owners (id, first_name, last_name) values (4, 'Nueva', 'Clienta');
         insert into owner_profiles (owner_id) values (4)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let new = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 4}),
    )
    .await;
    assert!(
        new.contains("Nueva Clienta") && !new.contains("🎁"),
        "{new}"
    );
    let data = call(&db.pool, "get_owner_profile", json!({"user_id": 4}))
        .await
        .unwrap();
    assert!(data.data["loyalty"].is_null());
}

#[tokio::test]
async fn the_storys_maria_has_no_account_in_the_demo_so_her_card_stays_the_storys() {
    let db = TestDb::demo().await;
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from loyalty_programs where owner_id = 1"
        )
        .await,
        0
    );
    // Every other demo client has one, and the cards of those show it.
    assert_eq!(
        count(
            &db.pool,
            "select count(*) from owner_profiles o where not exists
               (select 1 from loyalty_programs p where p.owner_id = o.owner_id)"
        )
        .await,
        1
    );
    let carlos = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 2}),
    )
    .await;
    assert!(carlos.contains("🎁 Lealtad: "), "{carlos}");
    let maria = card(
        &db.pool,
        Lang::Es,
        "get_owner_profile",
        json!({"user_id": 1}),
    )
    .await;
    assert!(!maria.contains("🎁"), "{maria}");
}
