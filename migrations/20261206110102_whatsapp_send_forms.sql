-- Mexican numbers (issue 18, item 8): a Mexican mobile has two forms, `52` + ten digits and
-- the older `521` + ten digits (WhatsApp sends inbound ids in the second). The Cloud API
-- refuses a send with 131030 ("recipient not in allowed list") in the form it does not
-- know for that recipient; the sender then tries the other form once and remembers here
-- the one that worked, to use it first next time.
create table whatsapp_send_forms (
    -- The number as `52` + ten digits, whichever form the chat id has.
    number     text primary key check (number ~ '^52[0-9]{10}$'),
    -- The form the Cloud API accepted: `52…` or `521…`.
    send_to    text not null check (send_to ~ '^521?[0-9]{10}$'),
    learned_at timestamptz not null default now()
);
