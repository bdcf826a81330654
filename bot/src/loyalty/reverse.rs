//! Reversal: an order that earned points and was then cancelled or refunded gives them back.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// What one run reversed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reversed {
    /// Orders whose earn was reversed.
    pub orders: u64,
    /// Of those, orders whose points had been spent already, wholly or partly: the balance
    /// could not cover them and the rest was forgiven (an `adjust` tied to the order).
    pub forgiven: u64,
}

/// Writes, at `now`, a `reverse` of the whole earn of every cancelled or refunded order that
/// earned and has not been reversed (once per order: the unique index
/// `loyalty_transactions_reverse_once`). A balance never goes below zero: when an account's
/// reversals take more than its balance (the client already redeemed those points), an
/// `adjust` tied to the order gives back the difference and its description says why, so
/// the ledger keeps both the full reversal and what the clinic forgave. An order that is
/// completed again after its reversal does not earn again (an order earns once).
#[tracing::instrument(name = "loyalty reverse", skip_all)]
pub async fn reverse(conn: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<Reversed> {
    let rows = sqlx::query!(
        r#"
        with pending as (
            select e.loyalty_id, o.id as order_id, e.points as earned, o.status
              from orders o
              join loyalty_transactions e
                on e.related_order_id = o.id and e.transaction_type = 'earn'
             where o.status in ('cancelled', 'refunded')
               and not exists (select 1 from loyalty_transactions r
                                where r.related_order_id = o.id and r.transaction_type = 'reverse')
        ), accounts as (
            -- Locked: a redemption committed meanwhile is in the balance the reversals see.
            select id, points_balance from loyalty_programs
             where id in (select loyalty_id from pending)
               for update
        ), sized as (
            select p.*, a.points_balance,
                   -- The points this reversal cannot take: what this and the account's
                   -- earlier reversals (by order) take beyond the balance, at most its own.
                   greatest(least(p.earned,
                                  sum(p.earned) over (partition by p.loyalty_id order by p.order_id)
                                  - a.points_balance), 0)::integer as short
              from pending p join accounts a on a.id = p.loyalty_id
        )
        insert into loyalty_transactions
               (loyalty_id, transaction_type, points, description, related_order_id, created_at)
        select loyalty_id, 'reverse', -earned,
               'Compra #' || order_id || case status when 'refunded' then ' reembolsada' else ' cancelada' end,
               order_id, $1::timestamptz
          from sized
        union all
        select loyalty_id, 'adjust', short,
               'Compra #' || order_id || ': ' || short
                   || ' puntos ya canjeados no se descuentan (el saldo no baja de cero)',
               order_id, $1::timestamptz
          from sized
         where short > 0
        returning transaction_type
        "#,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let count = |kind: &str| rows.iter().filter(|r| r.transaction_type == kind).count() as u64;
    Ok(Reversed {
        orders: count("reverse"),
        forgiven: count("adjust"),
    })
}
