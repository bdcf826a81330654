//! `vetbot-dev bench loyalty`: the nightly loyalty job (earn, reverse, expire, tiers) on the
//! current clinic: from scratch (every order earns), the next night (nothing new), and after
//! a day of `new_orders` orders and a tenth as many refunds of orders that earned, next to a
//! bare `SELECT 1`. Resets the clinic's loyalty tables, so only on a disposable database
//! (checked by the caller).

use std::time::{Duration, Instant};

use bot::clock::ClinicClock;
use bot::loyalty::{self, LoyaltySettings, NightlyOutcome};
use sqlx::PgPool;

use super::percentiles;

pub async fn loyalty(pool: &PgPool, new_orders: i64) -> anyhow::Result<String> {
    let clock = ClinicClock::load(pool).await?;
    let settings = LoyaltySettings::default();
    let mut floor = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        sqlx::query("select 1").execute(pool).await?;
        floor.push(t.elapsed());
    }
    let floor = percentiles(&mut floor).p50;
    let orders: i64 = sqlx::query_scalar("select count(*) from orders")
        .fetch_one(pool)
        .await?;
    // From scratch: no account, no transaction (the database refuses to delete transactions
    // of an account that stays, so the accounts go too).
    sqlx::raw_sql("truncate loyalty_tier_changes, loyalty_transactions, loyalty_programs")
        .execute(pool)
        .await?;
    let first = loyalty::nightly(pool, &settings, clock.now()).await?;
    let next = loyalty::nightly(pool, &settings, clock.now()).await?;
    // A day: `new_orders` one-item orders of food, for as many clients.
    sqlx::query(
        "with o as (
            insert into orders (owner_id, ordered_at, total)
            select id, $2, 1000 from owners order by id limit $1 returning id)
         insert into order_items (order_id, product_id, quantity, unit_price)
         select o.id, (select id from products where category = 'food' order by id limit 1), 1, 1000 from o",
    )
    .bind(new_orders)
    .bind(clock.now())
    .execute(pool)
    .await?;
    // And refunds of the newest orders that earned.
    sqlx::query(
        "update orders set status = 'refunded' where id in (
            select related_order_id from loyalty_transactions
             where transaction_type = 'earn' order by related_order_id desc limit $1)",
    )
    .bind(new_orders / 10)
    .execute(pool)
    .await?;
    let day = loyalty::nightly(pool, &settings, clock.now()).await?;
    let balanced: bool = sqlx::query_scalar(
        "select not exists (select 1 from loyalty_programs p
            left join (select loyalty_id, sum(points) s from loyalty_transactions group by loyalty_id) t on t.loyalty_id = p.id
           where p.points_balance <> coalesce(t.s, 0))",
    )
    .fetch_one(pool)
    .await?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let line = |what: &str, o: &NightlyOutcome| {
        format!(
            "| {what} | {} | {} ({} forgiven) | {} | {} | {:.0} | {:.0} |\n",
            o.earned_orders,
            o.reversed.orders,
            o.reversed.forgiven,
            o.expired_accounts,
            o.tier_changes.len(),
            ms(o.took),
            ms(o.took) / ms(floor)
        )
    };
    Ok(format!(
        "{orders} orders; `SELECT 1` p50 {:.3} ms; every balance = sum of its transactions: {balanced}\n\n\
         | nightly loyalty job | orders earned | orders reversed | accounts expired | tier changes | ms | / SELECT 1 |\n|---|---:|---:|---:|---:|---:|---:|\n{}{}{}",
        ms(floor),
        line("from scratch (every order earns)", &first),
        line("next night (nothing new)", &next),
        line(
            &format!(
                "after a day of {new_orders} orders and {} refunds",
                new_orders / 10
            ),
            &day
        ),
    ))
}
