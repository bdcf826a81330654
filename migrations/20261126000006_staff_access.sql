-- Staff access and chat state.

-- One-time invite codes: `vetbot staff invite` prints one; `/start CODE` (Telegram) or the
-- code alone (WhatsApp) links the sender's chat identity to the staff member. Only a hash
-- of the code is stored.
create table staff_invites (
    id          bigserial primary key,
    staff_id    bigint not null references staff(id) on delete cascade,
    code_hash   text not null unique,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    used_by     text,
    created_at  timestamptz not null default now()
);

-- The command brain's short-term context per chat: the last owner talked about and the
-- last numbered list, so "2" or "agrégale la etiqueta VIP" work without a name.
alter table conversations add column state jsonb not null default '{}'::jsonb;

-- Staff members answer in their own language unless a message says otherwise.
alter table staff add column language text not null default 'es' check (language in ('es', 'en'));
