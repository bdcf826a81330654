-- Change tracking marks both owners when a row moves from one owner to another: an order,
-- visit, message or pet moved away changes the figures of the owner it left too, and
-- `mark_metrics_dirty` (migration 005) marked only the new one, so an incremental recompute
-- left the old owner's metrics stale (found by the summaries' consistency check).
create or replace function mark_metrics_dirty() returns trigger
    language plpgsql as $$
begin
    if tg_op <> 'INSERT' and old.owner_id is not null then
        insert into metrics_dirty (owner_id) values (old.owner_id) on conflict do nothing;
    end if;
    if tg_op <> 'DELETE' and new.owner_id is not null
       and (tg_op = 'INSERT' or new.owner_id is distinct from old.owner_id) then
        insert into metrics_dirty (owner_id) values (new.owner_id) on conflict do nothing;
    end if;
    return null;
end $$;
