-- vetbot schema: the story's CRM models plus the clinic entities they depend on.
-- Forward only: never edit this file once applied; add a new migration instead.

create extension if not exists unaccent;
create extension if not exists pg_trgm;

-- unaccent() is only STABLE; this wrapper pins the dictionary so it can back indexes.
create or replace function f_unaccent(text) returns text
    language sql immutable parallel safe strict
    as $$ select public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Search key for names: lower case, no accents.
create or replace function f_search_key(text) returns text
    language sql immutable parallel safe strict
    as $$ select lower(public.f_unaccent($1)) $$;

-- One row: the clinic itself. `frozen_today` pins "today" (the demo clinic is frozen at the
-- story's date so its relative figures hold); null means the real clock.
create table clinic (
    id            smallint primary key default 1 check (id = 1),
    name          text not null,
    timezone      text not null default 'America/Cancun',
    frozen_today  date
);

-- The story's `User`: a pet owner (client of the clinic).
create table owners (
    id          bigserial primary key,
    first_name  text not null check (length(trim(first_name)) > 0),
    last_name   text not null default '',
    email       text check (email is null or email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    created_at  timestamptz not null default now(),
    full_name   text generated always as (trim(first_name || ' ' || last_name)) stored,
    search_name text generated always as (f_search_key(trim(first_name || ' ' || last_name))) stored
);

create table owner_profiles (
    owner_id            bigint primary key references owners(id) on delete cascade,
    phone_primary       text check (phone_primary is null or phone_primary ~ '^\+[1-9][0-9]{7,14}$'),
    phone_secondary     text check (phone_secondary is null or phone_secondary ~ '^\+[1-9][0-9]{7,14}$'),
    address             text not null default '',
    preferred_language  text not null default 'es' check (preferred_language in ('es', 'en')),
    contact_preference  text not null default 'whatsapp'
                        check (contact_preference in ('whatsapp', 'sms', 'email', 'phone', 'telegram')),
    marketing_opt_in    boolean not null default true,
    reminder_preference text not null default '24h' check (reminder_preference in ('none', '2h', '24h', '48h', '1w')),
    customer_type       text not null default '' check (customer_type in ('', 'regular', 'vip', 'new', 'lapsed')),
    acquisition_source  text not null default '',
    referral_owner_id   bigint references owners(id) on delete set null,
    instagram_handle    text not null default '',
    facebook_url        text not null default '',
    notes               text not null default '',
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

create table staff (
    id          bigserial primary key,
    name        text not null check (length(trim(name)) > 0),
    role        text not null check (role in ('owner', 'staff')),
    active      boolean not null default true,
    created_at  timestamptz not null default now()
);

-- A chat identity (Telegram user id, WhatsApp phone, terminal user) linked to a staff member.
create table staff_identities (
    id          bigserial primary key,
    staff_id    bigint not null references staff(id) on delete cascade,
    channel     text not null check (channel in ('telegram', 'whatsapp', 'terminal')),
    external_id text not null,
    linked_at   timestamptz not null default now(),
    unique (channel, external_id)
);

create table owner_tags (
    id          bigserial primary key,
    name        text not null check (length(trim(name)) between 1 and 50),
    -- "vip", "VIP" and " Vip " are one tag.
    name_key    text generated always as (f_search_key(trim(name))) stored unique,
    color       text not null default '#3B82F6' check (color ~ '^#[0-9A-Fa-f]{6}$'),
    description text not null default ''
);

create table owner_profile_tags (
    owner_id    bigint not null references owner_profiles(owner_id) on delete cascade,
    tag_id      bigint not null references owner_tags(id) on delete cascade,
    added_by    bigint references staff(id) on delete set null,
    added_at    timestamptz not null default now(),
    primary key (owner_id, tag_id)
);

create table owner_notes (
    id          bigserial primary key,
    owner_id    bigint not null references owner_profiles(owner_id) on delete cascade,
    author_id   bigint references staff(id) on delete set null,
    content     text not null check (length(trim(content)) > 0),
    is_internal boolean not null default true,
    created_at  timestamptz not null default now()
);

create table pets (
    id           bigserial primary key,
    owner_id     bigint not null references owners(id) on delete cascade,
    name         text not null check (length(trim(name)) > 0),
    species      text not null check (species in ('dog', 'cat', 'bird', 'rabbit', 'reptile', 'rodent', 'other')),
    breed        text,
    birth_date   date,
    sex          text not null default 'unknown' check (sex in ('male', 'female', 'unknown')),
    deceased_on  date,
    created_at   timestamptz not null default now(),
    search_name  text generated always as (f_search_key(name)) stored,
    check (deceased_on is null or birth_date is null or deceased_on >= birth_date)
);

create table vaccinations (
    id          bigserial primary key,
    pet_id      bigint not null references pets(id) on delete cascade,
    vaccine     text not null check (length(trim(vaccine)) > 0),
    applied_on  date not null,
    due_on      date,
    check (due_on is null or due_on > applied_on)
);

create table appointments (
    id            bigserial primary key,
    owner_id      bigint not null references owners(id) on delete cascade,
    pet_id        bigint references pets(id) on delete set null,
    kind          text not null check (kind in ('checkup', 'vaccination', 'emergency', 'grooming', 'surgery', 'dental', 'followup')),
    status        text not null check (status in ('scheduled', 'completed', 'cancelled', 'no_show')),
    scheduled_at  timestamptz not null,
    reason        text not null default '',
    created_at    timestamptz not null default now()
);

create table products (
    id          bigserial primary key,
    sku         text not null unique,
    name        text not null check (length(trim(name)) > 0),
    category    text not null check (category in ('food', 'medicine', 'accessory', 'hygiene', 'toy', 'supplement')),
    brand       text not null default '',
    price       numeric(12, 2) not null check (price >= 0),
    active      boolean not null default true
);

create table orders (
    id          bigserial primary key,
    owner_id    bigint not null references owners(id) on delete cascade,
    ordered_at  timestamptz not null,
    status      text not null default 'completed' check (status in ('completed', 'cancelled', 'refunded')),
    total       numeric(12, 2) not null check (total >= 0)
);

create table order_items (
    id          bigserial primary key,
    order_id    bigint not null references orders(id) on delete cascade,
    product_id  bigint not null references products(id),
    quantity    integer not null check (quantity > 0),
    unit_price  numeric(12, 2) not null check (unit_price >= 0)
);

create table marketing_campaigns (
    id              bigserial primary key,
    name            text not null check (length(trim(name)) > 0),
    campaign_type   text not null check (campaign_type in ('whatsapp', 'sms', 'email', 'telegram')),
    status          text not null default 'draft'
                    check (status in ('draft', 'pending_approval', 'approved', 'sending', 'sent', 'cancelled', 'failed')),
    target_segment  jsonb not null default '{}'::jsonb,
    target_count    integer not null default 0 check (target_count >= 0),
    subject         text not null default '',
    body            text not null,
    scheduled_for   timestamptz,
    sent_at         timestamptz,
    sent_count      integer not null default 0 check (sent_count >= 0),
    delivered_count integer not null default 0 check (delivered_count >= 0),
    opened_count    integer not null default 0 check (opened_count >= 0),
    clicked_count   integer not null default 0 check (clicked_count >= 0),
    created_by      bigint references staff(id) on delete set null,
    created_at      timestamptz not null default now()
);

create table communications (
    id                  bigserial primary key,
    owner_id            bigint references owners(id) on delete cascade,
    direction           text not null check (direction in ('outbound', 'inbound')),
    channel             text not null check (channel in ('whatsapp', 'sms', 'email', 'telegram', 'phone')),
    campaign_id         bigint references marketing_campaigns(id) on delete set null,
    body                text not null default '',
    status              text not null check (status in ('queued', 'sent', 'delivered', 'read', 'failed', 'received')),
    platform_message_id text unique,
    error_code          integer,
    sent_at             timestamptz not null default now(),
    replied_at          timestamptz
);

create table customer_metrics (
    owner_id                bigint primary key references owner_profiles(owner_id) on delete cascade,
    total_spent             numeric(12, 2) not null default 0 check (total_spent >= 0),
    average_order_value     numeric(10, 2) not null default 0 check (average_order_value >= 0),
    order_count             integer not null default 0 check (order_count >= 0),
    total_appointments      integer not null default 0 check (total_appointments >= 0),
    cancelled_appointments  integer not null default 0 check (cancelled_appointments >= 0),
    no_show_count           integer not null default 0 check (no_show_count >= 0),
    last_visit_date         date,
    last_purchase_date      date,
    messages_sent           integer not null default 0 check (messages_sent >= 0),
    messages_responded      integer not null default 0 check (messages_responded >= 0),
    response_rate           double precision not null default 0 check (response_rate between 0 and 1),
    days_since_last_visit   integer not null default 0,
    churn_risk_score        double precision not null default 0 check (churn_risk_score between 0 and 1),
    lifetime_value_estimate numeric(12, 2) not null default 0,
    updated_at              timestamptz not null default now()
);

create table loyalty_programs (
    id                      bigserial primary key,
    owner_id                bigint not null unique references owner_profiles(owner_id) on delete cascade,
    points_balance          integer not null default 0 check (points_balance >= 0),
    tier                    text not null default 'bronze' check (tier in ('bronze', 'silver', 'gold', 'platinum')),
    points_earned_total     integer not null default 0 check (points_earned_total >= 0),
    points_redeemed_total   integer not null default 0 check (points_redeemed_total >= 0)
);

create table loyalty_transactions (
    id                  bigserial primary key,
    loyalty_id          bigint not null references loyalty_programs(id) on delete cascade,
    transaction_type    text not null check (transaction_type in ('earn', 'redeem', 'expire', 'adjust')),
    points              integer not null check (points <> 0),
    description         text not null default '',
    related_order_id    bigint references orders(id) on delete set null,
    created_at          timestamptz not null default now()
);

-- A chat with the bot (one per channel + chat id).
create table conversations (
    id          bigserial primary key,
    channel     text not null check (channel in ('telegram', 'whatsapp', 'terminal')),
    chat_id     text not null,
    staff_id    bigint references staff(id) on delete set null,
    started_at  timestamptz not null default now(),
    unique (channel, chat_id)
);

-- Every verified inbound platform message, stored before the webhook answers 200.
create table inbox (
    id            bigserial primary key,
    channel       text not null check (channel in ('telegram', 'whatsapp')),
    platform_id   text not null,
    chat_id       text not null,
    payload       jsonb not null,
    received_at   timestamptz not null default now(),
    processed_at  timestamptz,
    attempts      integer not null default 0 check (attempts >= 0),
    last_error    text,
    unique (channel, platform_id)
);

-- Every tool call: who, what, with which arguments, and how it went.
create table audit_log (
    id           bigserial primary key,
    at           timestamptz not null default now(),
    staff_id     bigint references staff(id) on delete set null,
    channel      text not null default '',
    tool         text not null,
    arguments    jsonb not null default '{}'::jsonb,
    outcome      text not null check (outcome in ('ok', 'error')),
    error        text,
    duration_ms  double precision not null check (duration_ms >= 0)
);
