-- Loyalty (#13): the account check of migration loyalty_reversals, planned for the whole
-- set. Found by the first run on the 100k clinic: with `limit 1` the planner expected to stop
-- at the first wrong account and chose nested loops over every account (a correct ledger has
-- none, so it never stopped early); `min` plans for all rows.
create or replace function loyalty_check(ids bigint[]) returns void language plpgsql as $$
declare
    wrong bigint;
begin
    if ids is null then
        return;
    end if;
    if cardinality(ids) > 10000 then
        -- Most accounts (a backfill, a rebuild): one pass over the ledger.
        select min(p.id) into wrong
          from loyalty_programs p
          left join (select loyalty_id,
                            sum(points) as points,
                            coalesce(sum(points) filter (where transaction_type = 'earn'), 0) as earned,
                            coalesce(-sum(points) filter (where transaction_type = 'redeem'), 0) as redeemed
                       from loyalty_transactions group by loyalty_id) s on s.loyalty_id = p.id
         where p.points_balance <> coalesce(s.points, 0)
            or p.points_earned_total <> coalesce(s.earned, 0)
            or p.points_redeemed_total <> coalesce(s.redeemed, 0);
    else
        select min(p.id) into wrong
          from (select distinct id from unnest(ids) as u(id)) u
          join loyalty_programs p on p.id = u.id
          left join lateral (
                select coalesce(sum(t.points), 0) as points,
                       coalesce(sum(t.points) filter (where t.transaction_type = 'earn'), 0) as earned,
                       coalesce(-sum(t.points) filter (where t.transaction_type = 'redeem'), 0) as redeemed
                  from loyalty_transactions t where t.loyalty_id = p.id) s on true
         where p.points_balance <> s.points
            or p.points_earned_total <> s.earned
            or p.points_redeemed_total <> s.redeemed;
    end if;
    if wrong is not null then
        raise exception 'loyalty account % differs from the sum of its transactions', wrong
            using errcode = 'check_violation',
                  hint = 'write a loyalty transaction: balances follow from the ledger';
    end if;
end $$;

-- Only the accounts whose balance or totals changed (a tier update checks nothing). A set
-- difference rather than a join: the planner has no statistics for transition tables, and a
-- set operation cannot become a nested loop over two of them.
create or replace function loyalty_check_updated_accounts() returns trigger language plpgsql as $$
begin
    perform loyalty_check((
        select array_agg(id) from (
            select id, points_balance, points_earned_total, points_redeemed_total from changed
            except
            select id, points_balance, points_earned_total, points_redeemed_total from previous) d));
    return null;
end $$;

-- The nightly reversal looks only at cancelled and refunded orders (a few percent): an index
-- of those alone, instead of a scan of every order each night.
create index orders_not_completed on orders (id) where status in ('cancelled', 'refunded');
