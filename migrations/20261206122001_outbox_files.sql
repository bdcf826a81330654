-- Files a reply carries (issue 13: a client's data export; later charts and spreadsheets).
-- Each file is one more "piece" of its outbox row, sent after the text: `pieces_sent` counts
-- the text's pieces and then the files, so a retry resumes after the last piece the platform
-- accepted and resends exactly the same bytes, never one already accepted (see
-- bot/src/serve/outbox.rs). The bytes are personal data more often than not (an export), so
-- they are kept only until the row is sent or given up, then deleted.
alter table outbox add column files integer not null default 0 check (files >= 0);

create table outbox_files (
    outbox_id    bigint not null references outbox (id) on delete cascade,
    position     integer not null check (position >= 0),
    file_name    text not null check (length(file_name) between 1 and 200),
    mime_type    text not null check (length(mime_type) > 0),
    -- Telegram bots upload documents up to 50 MB.
    bytes        bytea not null check (octet_length(bytes) between 1 and 50 * 1024 * 1024),
    caption      text not null default '',
    -- A data-rights request this file answers: answered when the file is accepted.
    data_request bigint references data_requests (id) on delete set null,
    primary key (outbox_id, position)
);
create index outbox_files_data_request on outbox_files (data_request) where data_request is not null;
