-- A bulk change that a staff member (not an owner) asked for is confirmed by an owner, in
-- the owner's own chat: every active owner is asked, and may answer "sí" or "no" from any
-- chat linked to them while the hold is open. The first answer resolves the hold (once);
-- an owner who answers after that is told who resolved it.
alter table pending_writes add column resolved_by bigint references staff (id);

create table pending_write_approvers (
    pending_id  bigint not null references pending_writes (id) on delete cascade,
    staff_id    bigint not null references staff (id) on delete cascade,
    -- When this owner answered (or was told the hold was already resolved).
    answered_at timestamptz,
    primary key (pending_id, staff_id)
);

create index pending_write_approvers_unanswered
    on pending_write_approvers (staff_id) where answered_at is null;
