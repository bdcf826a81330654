-- `inbox_pending (chat_id, id) where processed_at is null` (migration 002) is covered by
-- `inbox_unprocessed_chat (channel, chat_id, id)` (migration 011), the index the worker's
-- claim walks; nothing else reads it. Every webhook insert and every processed row paid
-- for its upkeep (and its WAL).
drop index inbox_pending;
