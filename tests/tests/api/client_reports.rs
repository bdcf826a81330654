//! The customers and retention reports read the owners' active days (`owner_days`, its
//! counts and the monthly spend) instead of a period's orders and visits. Their figures
//! equal the queries they ran before over the base tables (kept here as the reference), for
//! periods of whole months, odd days and years, on a clinic loaded in bulk and after writes
//! of every kind: orders and visits added, moved, completed, cancelled, deleted, an owner's
//! creation date moved, an owner erased and one deleted. After each, the rollup equals its
//! rebuild, and every kept top list (`top_spender_lists`) holds exactly the owners the base
//! tables put above its floor, with their figures.

use bot::clock::ClinicClock;
use bot::crm::reports::{self, Pair, TopRow, Window};
use bot::db::summaries::Summary;
use bot::demo;
use chrono::{Days, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tests::TestDb;

/// The report's window for the days `start..=end` (as `generate_report` builds it).
fn window(clock: &ClinicClock, start: NaiveDate, end: NaiveDate) -> Window {
    let days = Days::new((end - start).num_days() as u64 + 1);
    let midnight = |d: NaiveDate| clock.local(d, NaiveTime::MIN);
    Window {
        prev2: midnight(start - days - days),
        prev: midnight(start - days),
        start: midnight(start),
        end: midnight(end + Days::new(1)),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Periods of every shape: whole months (whose previous period is not), a month so far,
/// odd days, a single day, a quarter, a calendar year and a year across two.
fn periods() -> Vec<(NaiveDate, NaiveDate)> {
    vec![
        (date(2025, 10, 1), date(2025, 10, 31)),
        (date(2025, 11, 1), date(2025, 11, 20)),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 3, 17), date(2025, 4, 9)),
        (date(2025, 6, 30), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 11, 21), date(2025, 11, 20)),
    ]
}

/// The customers figures as the base tables give them (the report's query before the rollup).
async fn direct_customers(pool: &PgPool, w: &Window) -> (Vec<i64>, Vec<TopRow>) {
    let counts: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        r#"
        with activity as (
            select owner_id, ordered_at >= $2 as cur from orders
             where status = 'completed' and ordered_at >= $1 and ordered_at < $3
            union all
            select owner_id, scheduled_at >= $2 from appointments
             where status = 'completed' and scheduled_at >= $1 and scheduled_at < $3
        ), per_owner as (
            select owner_id, bool_or(cur) as cur, bool_or(not cur) as prev
              from activity group by owner_id
        ), recent as (
            select id, created_at from owners where created_at >= $1
        )
        select count(*) filter (where a.cur),
               count(*) filter (where a.cur and (r.id is null or r.created_at < $2)),
               count(*) filter (where a.prev),
               count(*) filter (where a.prev and r.id is null),
               (select count(*) from recent where created_at >= $2 and created_at < $3),
               (select count(*) from recent where created_at < $2)
          from per_owner a left join recent r on r.id = a.owner_id
        "#,
    )
    .bind(w.prev)
    .bind(w.start)
    .bind(w.end)
    .fetch_one(pool)
    .await
    .unwrap();
    let top: Vec<(String, i64, Decimal)> = sqlx::query_as(
        r#"
        select o.full_name, t.n, t.spent
          from (select owner_id, count(*) as n, sum(total) as spent from orders
                 where status = 'completed' and ordered_at >= $1 and ordered_at < $2
                 group by owner_id order by spent desc, owner_id limit 5) t
          join owners o on o.id = t.owner_id
         order by t.spent desc, o.full_name
        "#,
    )
    .bind(w.start)
    .bind(w.end)
    .fetch_all(pool)
    .await
    .unwrap();
    let (a, r, pa, pr, n, pn) = counts;
    (vec![a, pa, r, pr, n, pn], rows(top))
}

fn rows(top: Vec<(String, i64, Decimal)>) -> Vec<TopRow> {
    top.into_iter()
        .map(|(label, count, amount)| TopRow {
            label,
            count,
            amount,
        })
        .collect()
}

/// The retention figures as the base tables give them.
async fn direct_retention(
    pool: &PgPool,
    w: &Window,
    tz: &str,
) -> (Vec<i64>, Pair<Option<Decimal>>, Vec<TopRow>) {
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        r#"
        with activity as (
            select owner_id, ordered_at as at from orders
             where status = 'completed' and ordered_at >= $1 and ordered_at < $4
            union all
            select owner_id, scheduled_at from appointments
             where status = 'completed' and scheduled_at >= $1 and scheduled_at < $4
        ), per_owner as (
            select bool_or(at < $2) as p0, bool_or(at >= $2 and at < $3) as p1, bool_or(at >= $3) as p2
              from activity group by owner_id
        )
        select count(*) filter (where p1), count(*) filter (where p1 and p2),
               count(*) filter (where p0), count(*) filter (where p0 and p1)
          from per_owner
        "#,
    )
    .bind(w.prev2)
    .bind(w.prev)
    .bind(w.start)
    .bind(w.end)
    .fetch_one(pool)
    .await
    .unwrap();
    let lapsed: Vec<(String, i64, Decimal)> = sqlx::query_as(
        r#"
        select o.full_name, 0::bigint, t.spent
          from (select owner_id, sum(total) as spent from orders s
                 where status = 'completed' and ordered_at >= $1 and ordered_at < $2
                   and not exists (select from orders c where c.owner_id = s.owner_id
                          and c.status = 'completed' and c.ordered_at >= $2 and c.ordered_at < $3)
                   and not exists (select from appointments c where c.owner_id = s.owner_id
                          and c.status = 'completed' and c.scheduled_at >= $2 and c.scheduled_at < $3)
                 group by owner_id having sum(total) > 0
                 order by spent desc, owner_id limit 5) t
          join owners o on o.id = t.owner_id
         order by t.spent desc, o.full_name
        "#,
    )
    .bind(w.prev)
    .bind(w.start)
    .bind(w.end)
    .fetch_all(pool)
    .await
    .unwrap();
    let gaps: (Option<Decimal>, Option<Decimal>) = sqlx::query_as(
        r#"
        with per_owner as (
            select count(*) filter (where scheduled_at >= $2) as n,
                   min(scheduled_at) filter (where scheduled_at >= $2) as first_at,
                   max(scheduled_at) as last_at,
                   max(scheduled_at) filter (where scheduled_at < $2) as before_at,
                   count(*) filter (where scheduled_at >= $1 and scheduled_at < $2) as prev_n,
                   min(scheduled_at) filter (where scheduled_at >= $1) as prev_first_at,
                   max(scheduled_at) filter (where scheduled_at < $1) as prev_before_at
              from appointments
             where status = 'completed' and scheduled_at < $3
             group by owner_id
        )
        select sum((last_at at time zone $4)::date
                   - (coalesce(before_at, first_at) at time zone $4)::date) filter (where n > 0)::numeric
                 / nullif(sum(n - (before_at is null)::int) filter (where n > 0), 0),
               sum((before_at at time zone $4)::date
                   - (coalesce(prev_before_at, prev_first_at) at time zone $4)::date) filter (where prev_n > 0)::numeric
                 / nullif(sum(prev_n - (prev_before_at is null)::int) filter (where prev_n > 0), 0)
          from per_owner
        "#,
    )
    .bind(w.prev)
    .bind(w.start)
    .bind(w.end)
    .bind(tz)
    .fetch_one(pool)
    .await
    .unwrap();
    let (b, k, pb, pk) = counts;
    (
        vec![b, k, pb, pk],
        Pair {
            current: gaps.0,
            previous: gaps.1,
        },
        rows(lapsed),
    )
}

/// The kept lists' entries that differ from the base tables: each list must hold every owner
/// whose completed orders in its period (absent, for lapsed lists, in its days of absence,
/// and with more than 0 spent) add up to more than its floor, with their number and sum,
/// and nobody else.
async fn kept_list_differences(pool: &PgPool, tz: &str) -> Vec<(i64, i64, String)> {
    sqlx::query_as(
        r#"
        with direct as (
            select l.id as list_id, o.owner_id, count(*)::bigint as orders, sum(o.total) as spent
              from top_spender_lists l
              join orders o on o.status = 'completed' and o.ordered_at >= l.from_at
                           and o.ordered_at < l.to_at
             where l.away_from is null
                or (not exists (select from orders c where c.owner_id = o.owner_id
                                   and c.status = 'completed'
                                   and (c.ordered_at at time zone $1)::date >= l.away_from
                                   and (c.ordered_at at time zone $1)::date < l.away_to)
                    and not exists (select from appointments c where c.owner_id = o.owner_id
                                   and c.status = 'completed'
                                   and (c.scheduled_at at time zone $1)::date >= l.away_from
                                   and (c.scheduled_at at time zone $1)::date < l.away_to))
             group by l.id, o.owner_id
            having (max(l.away_from) is null or sum(o.total) > 0)
               and (max(l.floor_spend) is null or sum(o.total) > max(l.floor_spend))
        ), kept as (
            select list_id, owner_id, orders, spent from top_spender_entries
        )
        select list_id, owner_id, 'missing or different' from (select * from direct except select * from kept) m
        union all
        select list_id, owner_id, 'not due or different' from (select * from kept except select * from direct) x
        "#,
    )
    .bind(tz)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn kept_lists(pool: &PgPool) -> Vec<i64> {
    sqlx::query_scalar("select id from top_spender_lists order by id")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Both reports for every period equal the base tables' answers, the rollup its rebuild, and
/// the kept top lists the base tables.
async fn assert_reports_exact(pool: &PgPool, step: &str) {
    let differences = Summary::OwnerDays.check(pool).await.unwrap();
    let shown: Vec<String> = differences.iter().take(5).map(|d| d.to_string()).collect();
    assert!(
        differences.is_empty(),
        "after {step}: {} differences: {}",
        differences.len(),
        shown.join("; ")
    );
    let clock = ClinicClock::load(pool).await.unwrap();
    let tz = clock.tz().name();
    for (start, end) in periods() {
        let w = window(&clock, start, end);
        let c = reports::customers(pool, &w).await.unwrap();
        let (counts, top) = direct_customers(pool, &w).await;
        let mine = vec![
            c.active.current,
            c.active.previous,
            c.returning.current,
            c.returning.previous,
            c.new.current,
            c.new.previous,
        ];
        assert_eq!(mine, counts, "after {step}: customers {start}..{end}");
        assert_eq!(
            c.top_clients, top,
            "after {step}: top clients {start}..{end}"
        );
        let r = reports::retention(pool, &w).await.unwrap();
        let (counts, gaps, lapsed) = direct_retention(pool, &w, tz).await;
        let mine = vec![
            r.base.current,
            r.kept.current,
            r.base.previous,
            r.kept.previous,
        ];
        assert_eq!(mine, counts, "after {step}: retention {start}..{end}");
        assert_eq!(
            r.days_between_visits, gaps,
            "after {step}: gaps {start}..{end}"
        );
        assert_eq!(r.top_lapsed, lapsed, "after {step}: lapsed {start}..{end}");
    }
    // Asked now, whether built by these asks or kept through the step: a customers list and
    // a lapsed list per period.
    assert_eq!(
        kept_lists(pool).await.len(),
        2 * periods().len(),
        "after {step}"
    );
    let wrong = kept_list_differences(pool, tz).await;
    assert!(
        wrong.is_empty(),
        "after {step}: kept lists differ: {wrong:?}"
    );
}

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Writes to what the rollup is kept from; ids from subqueries, so they apply to any clinic.
const WRITES: &[(&str, &str)] = &[
    ("a completed order today", "insert into orders (owner_id, ordered_at, status, total)
        values ((select min(id) from owners), now(), 'completed', 1234.50)"),
    ("a big order in October", "insert into orders (owner_id, ordered_at, status, total)
        values ((select max(id) from owners), '2025-10-15 12:00-05', 'completed', 99999)"),
    ("two visits on one day", "insert into appointments (owner_id, kind, status, scheduled_at)
        select (select min(id) + 3 from owners), 'checkup', 'completed', t
          from unnest(array['2025-10-02 09:00-05', '2025-10-02 17:00-05']::timestamptz[]) t"),
    ("orders cancelled", "update orders set status = 'cancelled'
        where id in (select id from orders where status = 'completed' order by id limit 40)"),
    ("an order completed again", "update orders set status = 'completed'
        where id = (select min(id) from orders where status = 'cancelled')"),
    ("an order's total changed", "update orders set total = total + 777
        where id = (select max(id) from orders where status = 'completed' and ordered_at < '2025-09-01')"),
    ("orders moved a month back", "update orders set ordered_at = ordered_at - interval '1 month'
        where id in (select id from orders where status = 'completed' order by id desc limit 30)"),
    ("an order moved to another owner", "update orders set owner_id = (select max(id) from owners)
        where id = (select min(id) from orders where owner_id <> (select max(id) from owners))"),
    ("visits completed", "update appointments set status = 'completed'
        where id in (select id from appointments where status <> 'completed' and scheduled_at < now() order by id limit 20)"),
    ("visits missed", "update appointments set status = 'no_show'
        where id in (select id from appointments where status = 'completed' order by id desc limit 20)"),
    ("visits rescheduled", "update appointments set scheduled_at = scheduled_at + interval '9 days'
        where id in (select id from appointments where status = 'completed' order by id limit 25)"),
    ("a visit moved to another owner", "update appointments set owner_id = (select min(id) from owners)
        where id = (select max(id) from appointments where status = 'completed')"),
    ("orders and visits deleted", "delete from orders where id in (select id from orders order by id desc limit 15);
        delete from appointments where id in (select id from appointments order by id limit 15)"),
    ("owners' creation dates moved", "update owners set created_at = created_at + interval '200 days'
        where id in (select id from owners order by id limit 10);
        update owners set created_at = '2025-10-20 08:00-05' where id = (select max(id) from owners)"),
    ("an owner deleted", "delete from owners where id = (select min(id) + 1 from owners)"),
];

async fn writes_keep_the_reports_exact(pool: &PgPool) {
    for (step, sql) in WRITES {
        exec(pool, sql).await;
        assert_reports_exact(pool, step).await;
    }
}

/// A generated clinic, loaded with the triggers off (the bulk path), its reports checked (and
/// so its top lists built).
async fn generated_clinic() -> TestDb {
    let db = TestDb::migrated().await;
    devtools::synth::load_synthetic(&db.pool, demo::story_today(), 400, 11)
        .await
        .unwrap();
    assert_reports_exact(&db.pool, "loading a generated clinic").await;
    db
}

#[tokio::test]
async fn client_reports_equal_the_base_tables_after_a_bulk_load_and_through_writes() {
    let db = generated_clinic().await;

    // Act and assert: every write keeps both reports exact.
    writes_keep_the_reports_exact(&db.pool).await;
}

#[tokio::test]
async fn client_reports_equal_the_base_tables_on_the_demo_clinic_through_an_erasure_and_writes() {
    let db = TestDb::demo().await;
    let pool = &db.pool;
    assert_reports_exact(pool, "seeding the demo clinic").await;
    // María García (client 1) erased through the data-rights flow: her records anonymised,
    // her activity kept.
    let now = chrono::Utc::now();
    bot::rights::erasure::ask(pool, 1, 1, "test", now)
        .await
        .unwrap();
    let erased = bot::rights::erasure::confirm(pool, 1, "María García", now)
        .await
        .unwrap();
    assert!(
        matches!(
            erased,
            bot::rights::erasure::Confirmed::Erased { owner_id: 1, .. }
        ),
        "{erased:?}"
    );
    assert_reports_exact(pool, "an erasure").await;
    writes_keep_the_reports_exact(pool).await;
}

/// The customers list of October 2025 on a generated clinic, its entries above the floor.
async fn october_list(pool: &PgPool) -> (i64, Vec<i64>) {
    let list: i64 = sqlx::query_scalar(
        "select id from top_spender_lists
          where from_at = '2025-10-01 00:00-05' and to_at = '2025-11-01 00:00-05' and away_from is null",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let above = sqlx::query_scalar(
        "select e.owner_id from top_spender_entries e join top_spender_lists l on l.id = e.list_id
          where l.id = $1 and (l.floor_spend is null or e.spent > l.floor_spend)
          order by e.spent desc, e.owner_id",
    )
    .bind(list)
    .fetch_all(pool)
    .await
    .unwrap();
    (list, above)
}

#[tokio::test]
async fn a_kept_top_list_is_built_again_when_writes_leave_it_short_and_dropped_by_a_rebuild() {
    let db = generated_clinic().await;
    let pool = &db.pool;
    let (list, above) = october_list(pool).await;
    // Deep enough for the test to mean something: a floor, and more owners than the top 5.
    assert!(above.len() > 10, "{above:?}");

    // Act: all but three owners above the floor lose their October orders.
    sqlx::query(
        "update orders set status = 'cancelled'
          where owner_id = any($1) and status = 'completed'
            and ordered_at >= '2025-10-01 00:00-05' and ordered_at < '2025-11-01 00:00-05'",
    )
    .bind(&above[3..])
    .execute(pool)
    .await
    .unwrap();
    let (same, left) = october_list(pool).await;
    assert_eq!(
        (same, left),
        (list, above[..3].to_vec()),
        "kept, three above its floor"
    );

    // Assert: the next ask builds it again, and the answers stay exact.
    assert_reports_exact(pool, "cancelling October's top orders").await;
    let (rebuilt, again) = october_list(pool).await;
    assert_ne!(rebuilt, list, "built again");
    assert!(again.len() > 10, "{again:?}");

    // A rebuild of the rollup (after a bulk load) drops every list; the next asks build them.
    let mut conn = pool.acquire().await.unwrap();
    Summary::OwnerDays.rebuild(&mut conn).await.unwrap();
    drop(conn);
    assert!(kept_lists(pool).await.is_empty());
    assert_reports_exact(pool, "a rebuild").await;
}

/// `function`'s top `k` owners of window `w`'s period, with what they spent.
async fn top_of<'e>(
    db: impl sqlx::PgExecutor<'e>,
    function: &str,
    w: &Window,
    k: i32,
) -> Vec<(i64, Decimal)> {
    sqlx::query_as(&format!(
        "select owner_id, spent from {function}($1, $2, $3)"
    ))
    .bind(w.start)
    .bind(w.end)
    .bind(k)
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_top_list_is_built_after_the_writes_in_flight_and_not_kept_outside_read_committed() {
    let db = TestDb::migrated().await;
    let pool = &db.pool;
    devtools::synth::load_synthetic(pool, demo::story_today(), 200, 5)
        .await
        .unwrap();
    let clock = ClinicClock::load(pool).await.unwrap();
    let w = window(&clock, date(2025, 10, 1), date(2025, 10, 31));

    // Outside READ COMMITTED (a snapshot older than the writes a build must see) and above the
    // list's depth, the answer is found without keeping a list.
    let mut tx = pool.begin().await.unwrap();
    sqlx::raw_sql("set transaction isolation level repeatable read")
        .execute(&mut *tx)
        .await
        .unwrap();
    let mine = top_of(&mut *tx, "top_spenders_kept", &w, 5).await;
    tx.commit().await.unwrap();
    let deep = top_of(pool, "top_spenders_kept", &w, 60).await;
    let reference = top_of(pool, "top_spenders", &w, 60).await;
    assert_eq!(mine, reference[..5].to_vec());
    assert_eq!(deep, reference);
    assert!(kept_lists(pool).await.is_empty());

    // A write in flight: an order that puts an owner at the top of October, not committed.
    let mut writer = pool.begin().await.unwrap();
    let top: i64 = sqlx::query_scalar(
        "insert into orders (owner_id, ordered_at, status, total)
         values ((select max(id) from owners), '2025-10-15 12:00-05', 'completed', 999999)
         returning owner_id",
    )
    .fetch_one(&mut *writer)
    .await
    .unwrap();
    // The first ask of the period waits for it to end (on the lock its refresh holds) ...
    let ask = tokio::spawn({
        let pool = pool.clone();
        async move { reports::customers(&pool, &w).await.unwrap() }
    });
    // Bounded: an ask stuck on anything else fails the test instead of hanging it.
    for polls in 0.. {
        assert!(polls < 3_000, "the ask never waited on the lock");
        let waiting: bool = sqlx::query_scalar(
            "select exists (select from pg_locks where locktype = 'advisory' and not granted
                               and database = (select oid from pg_database
                                                where datname = current_database()))",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting {
            break;
        }
        assert!(!ask.is_finished(), "the ask did not wait for the write");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    writer.commit().await.unwrap();
    // ... and so its list holds the order.
    let report = ask.await.unwrap();
    let name: String = sqlx::query_scalar("select full_name from owners where id = $1")
        .bind(top)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(report.top_clients[0].label, name);
    assert_eq!(kept_lists(pool).await.len(), 1);
    let tz = clock.tz().name();
    assert!(kept_list_differences(pool, tz).await.is_empty());
}
