-- Loyalty (#13, open points): a cancelled or refunded order gives back what it earned, and
-- "an account's balance is the sum of its transactions" becomes a check the database makes.

-- `reverse`: the points an order earned, taken back once when the order is cancelled or
-- refunded. When the client already spent them, an `adjust` tied to the same order (its
-- description says so) gives back what the balance cannot cover: a balance never goes
-- below zero, and the ledger shows both the full reversal and the amount forgiven.
alter table loyalty_transactions drop constraint loyalty_transactions_transaction_type_check;
alter table loyalty_transactions add constraint loyalty_transactions_transaction_type_check
    check (transaction_type in ('earn', 'redeem', 'expire', 'adjust', 'reverse'));
create unique index loyalty_transactions_reverse_once on loyalty_transactions (related_order_id)
    where transaction_type = 'reverse';
create unique index loyalty_transactions_forgiven_once on loyalty_transactions (related_order_id)
    where transaction_type = 'adjust' and related_order_id is not null;

-- Activity (what keeps points from expiring) is what the client or staff did: an earn, a
-- redemption, a hand-made adjustment. A reversal and the job's own adjustment are not.
create or replace function loyalty_apply() returns trigger language plpgsql as $$
begin
    update loyalty_programs p
       set points_balance = p.points_balance + d.points,
           points_earned_total = p.points_earned_total + d.earned,
           points_redeemed_total = p.points_redeemed_total + d.redeemed,
           last_activity_at = greatest(p.last_activity_at, d.active)
      from (select loyalty_id,
                   sum(points) as points,
                   coalesce(sum(points) filter (where transaction_type = 'earn'), 0) as earned,
                   coalesce(-sum(points) filter (where transaction_type = 'redeem'), 0) as redeemed,
                   max(created_at) filter (where transaction_type in ('earn', 'redeem')
                       or (transaction_type = 'adjust' and related_order_id is null)) as active
              from new_rows group by loyalty_id) d
     where p.id = d.loyalty_id;
    return null;
end $$;

-- The check: after any statement that sets an account's balance or totals (the trigger
-- above, a rebuild, a hand-typed update), inserts accounts, or deletes transactions, every
-- account it touched must equal the sums of its transactions. One set-based query per
-- statement, over the touched accounts only; a deleted account has nothing left to check.
create function loyalty_check(ids bigint[]) returns void language plpgsql as $$
declare
    wrong bigint;
begin
    if ids is null then
        return;
    end if;
    if cardinality(ids) > 10000 then
        -- Most accounts (a backfill, a rebuild): one pass over the ledger.
        select p.id into wrong
          from loyalty_programs p
          left join (select loyalty_id,
                            sum(points) as points,
                            coalesce(sum(points) filter (where transaction_type = 'earn'), 0) as earned,
                            coalesce(-sum(points) filter (where transaction_type = 'redeem'), 0) as redeemed
                       from loyalty_transactions group by loyalty_id) s on s.loyalty_id = p.id
         where p.points_balance <> coalesce(s.points, 0)
            or p.points_earned_total <> coalesce(s.earned, 0)
            or p.points_redeemed_total <> coalesce(s.redeemed, 0)
         limit 1;
    else
        select p.id into wrong
          from (select distinct id from unnest(ids) as u(id)) u
          join loyalty_programs p on p.id = u.id
          left join lateral (
                select coalesce(sum(t.points), 0) as points,
                       coalesce(sum(t.points) filter (where t.transaction_type = 'earn'), 0) as earned,
                       coalesce(-sum(t.points) filter (where t.transaction_type = 'redeem'), 0) as redeemed
                  from loyalty_transactions t where t.loyalty_id = p.id) s on true
         where p.points_balance <> s.points
            or p.points_earned_total <> s.earned
            or p.points_redeemed_total <> s.redeemed
         limit 1;
    end if;
    if wrong is not null then
        raise exception 'loyalty account % differs from the sum of its transactions', wrong
            using errcode = 'check_violation',
                  hint = 'write a loyalty transaction: balances follow from the ledger';
    end if;
end $$;

create function loyalty_check_new_accounts() returns trigger language plpgsql as $$
begin
    perform loyalty_check((select array_agg(id) from changed));
    return null;
end $$;

-- Only the accounts whose balance or totals changed (a tier update checks nothing).
create function loyalty_check_updated_accounts() returns trigger language plpgsql as $$
begin
    perform loyalty_check((
        select array_agg(n.id) from changed n join previous o on o.id = n.id
         where (n.points_balance, n.points_earned_total, n.points_redeemed_total)
               is distinct from (o.points_balance, o.points_earned_total, o.points_redeemed_total)));
    return null;
end $$;

create function loyalty_check_deleted() returns trigger language plpgsql as $$
begin
    perform loyalty_check((select array_agg(loyalty_id) from changed));
    return null;
end $$;

create trigger loyalty_check_new_accounts after insert on loyalty_programs
    referencing new table as changed
    for each statement execute function loyalty_check_new_accounts();
create trigger loyalty_check_updated_accounts after update on loyalty_programs
    referencing old table as previous new table as changed
    for each statement execute function loyalty_check_updated_accounts();
create trigger loyalty_check_deleted after delete on loyalty_transactions
    referencing old table as changed
    for each statement execute function loyalty_check_deleted();
