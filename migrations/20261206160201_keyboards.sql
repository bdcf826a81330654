-- Buttons under lists and profiles (issue 15). A reply records which kind of keyboard it
-- carries, so a tap on an older keyboard of the same kind in the same chat is known to be
-- stale (see bot/src/serve/taps.rs); and the label of the menu that opens a WhatsApp list
-- message when it has more than three buttons (at most 20 characters, Meta's limit).
alter table outbox
    add column keyboard text check (keyboard in ('list', 'profile')),
    add column menu text check (char_length(menu) between 1 and 20);

-- A tap finds its reply among the chat's keyboards, and looks for a newer one of its kind.
create index outbox_keyboards on outbox (channel, chat_id, keyboard, id) where keyboard is not null;
