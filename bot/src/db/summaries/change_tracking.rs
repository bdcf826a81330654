//! Owners whose orders, visits, messages or pets changed since the last recompute
//! (`metrics_dirty`, migration 005): the incremental recompute redoes exactly them.
//!
//! Its from-scratch form is "every owner whose stored metrics no longer match the base
//! tables". Only the metrics that are plain sums of the base tables can be recomputed here
//! (the rest depend on the recompute's clock and model fit), so the rebuild and the check
//! cover those: spend, orders, cancelled visits, no-shows, messages sent and answered.
//! Owners without metrics yet are not tracked: the next full recompute computes them.

use sqlx::PgConnection;

use super::{covering, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("orders", "orders_dirty"),
    on("appointments", "appointments_dirty"),
    on("communications", "communications_dirty"),
    on("pets", "pets_dirty"),
];

// Marking an owner whose figures did not move (a pet renamed) costs one extra recompute:
// only owners left unmarked are differences. `marked_at` is when, not what.
pub(super) const STORED: &[Stored] = &[covering("metrics_dirty", "owner_id")];

/// Marks every owner whose stored sums differ from the base tables.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        -- language=PostgreSQL
        with ord as (
            select owner_id, sum(total) as spent, count(*) as n
              from orders where status = 'completed' group by owner_id
        ),
        app as (
            select owner_id, count(*) filter (where status = 'cancelled') as cancelled,
                   count(*) filter (where status = 'no_show') as no_shows
              from appointments group by owner_id
        ),
        msg as (
            select owner_id, count(*) as sent, count(replied_at) as responded
              from communications where direction = 'outbound' group by owner_id
        )
        insert into metrics_dirty (owner_id)
        select m.owner_id
          from customer_metrics m
          left join ord using (owner_id)
          left join app using (owner_id)
          left join msg using (owner_id)
         where (m.total_spent, m.order_count, m.cancelled_appointments, m.no_show_count,
                m.messages_sent, m.messages_responded)
               is distinct from
               (coalesce(ord.spent, 0), coalesce(ord.n, 0), coalesce(app.cancelled, 0),
                coalesce(app.no_shows, 0), coalesce(msg.sent, 0), coalesce(msg.responded, 0))
         order by m.owner_id
        on conflict (owner_id) do nothing
        "#
    )
    .execute(conn)
    .await?;
    Ok(())
}
