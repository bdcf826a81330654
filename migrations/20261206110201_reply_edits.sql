-- Edited staff messages (issue 18, item 6): a reply remembers the message it answers, so an
-- edit of that message finds it, and an edit's reply names the reply it corrects.

-- The stable key of the message a reply answers (`telegram:<chat>:<message_id>`,
-- `whatsapp:<wamid>`): an edit keeps it under a new update id / wamid.
alter table outbox add column source_message text;
-- The engine's answer to a question (an edit recomputes it); false for acknowledgements of
-- actions that an edit must not repeat (a yes/no answer, a reply sent to a client).
alter table outbox add column editable boolean not null default false;
-- This row corrects the reply `edit_of`: on Telegram its pieces are edited in place
-- (editMessageText on that row's platform ids); WhatsApp cannot edit a bot's message, so
-- there it is sent as a new message marked as a correction.
alter table outbox add column edit_of bigint references outbox (id);

create index outbox_source_message on outbox (channel, chat_id, source_message, id)
    where source_message is not null;
