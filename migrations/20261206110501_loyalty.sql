-- Loyalty (#13). The transactions are the ledger; an account's balance and totals are kept
-- by a statement-level trigger (one update per account per statement, so the nightly earn
-- of thousands of orders costs one pass), and the balance's `>= 0` check then refuses any
-- statement that would overdraw an account. A transaction's amount, type and account never
-- change once written.

-- An order earns once, however often it is imported, edited or recomputed.
create unique index loyalty_transactions_earn_once on loyalty_transactions (related_order_id)
    where transaction_type = 'earn';
create index loyalty_transactions_account on loyalty_transactions (loyalty_id, created_at);

-- Who redeemed or adjusted, and from which chat message (a retried or edited message
-- writes once).
alter table loyalty_transactions
    add column staff_id bigint references staff(id) on delete set null,
    add column source_message text;
create unique index loyalty_transactions_once_per_message
    on loyalty_transactions (source_message, loyalty_id) where source_message is not null;

-- The last transaction other than an expiry: points expire after a period without one.
alter table loyalty_programs add column last_activity_at timestamptz;

-- Balances of any account loaded before this migration: the sum of its transactions.
update loyalty_programs p
   set points_balance = coalesce(t.points, 0),
       points_earned_total = coalesce(t.earned, 0),
       points_redeemed_total = coalesce(t.redeemed, 0),
       last_activity_at = t.active
  from loyalty_programs q
  left join (select loyalty_id,
                    sum(points) as points,
                    sum(points) filter (where transaction_type = 'earn') as earned,
                    -sum(points) filter (where transaction_type = 'redeem') as redeemed,
                    max(created_at) filter (where transaction_type <> 'expire') as active
               from loyalty_transactions group by loyalty_id) t on t.loyalty_id = q.id
 where p.id = q.id;

create function loyalty_apply() returns trigger language plpgsql as $$
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
                   max(created_at) filter (where transaction_type <> 'expire') as active
              from new_rows group by loyalty_id) d
     where p.id = d.loyalty_id;
    return null;
end $$;

create trigger loyalty_apply after insert on loyalty_transactions
    referencing new table as new_rows for each statement execute function loyalty_apply();

create function loyalty_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'loyalty transactions are a ledger: write a new transaction instead'
        using errcode = 'check_violation';
end $$;

-- `related_order_id`'s `on delete set null` and the staff/source columns may still change.
create trigger loyalty_immutable before update on loyalty_transactions for each row
    when (old.points <> new.points or old.transaction_type <> new.transaction_type
          or old.loyalty_id <> new.loyalty_id or old.created_at <> new.created_at)
    execute function loyalty_immutable();

-- Tier changes of the nightly job, for the owner's morning digest (`reported_at` once shown).
create table loyalty_tier_changes (
    id           bigserial primary key,
    owner_id     bigint not null references owners(id) on delete cascade,
    from_tier    text not null check (from_tier in ('bronze', 'silver', 'gold', 'platinum')),
    to_tier      text not null check (to_tier in ('bronze', 'silver', 'gold', 'platinum')),
    spend_12m    numeric(12, 2) not null,
    changed_at   timestamptz not null default now(),
    reported_at  timestamptz,
    check (from_tier <> to_tier)
);
create index loyalty_tier_changes_unreported on loyalty_tier_changes (changed_at)
    where reported_at is null;
