-- A client's own messages as received (their data export, issue 13) are the inbox rows of
-- the chats linked to them; the inbox had no index by chat outside unprocessed rows.
create index inbox_chat on inbox (channel, chat_id);
