-- The inbox and outbox only grow: a worker looking for the next message and the sender
-- looking for the next reply walked every row ever handled, in id order, to find the few
-- that are not (26.8 ms and 46.2 ms with 30,000 handled rows, measured by
-- `vetbot bench webhooks`; the ack latency suffered with them). Partial indexes hold only
-- the rows still to do, so both look-ups stay as cheap as the queue is short.
create index inbox_unprocessed on inbox (id) where processed_at is null;
create index inbox_unprocessed_chat on inbox (channel, chat_id, id) where processed_at is null;
create index outbox_pending on outbox (id) where status = 'pending';
