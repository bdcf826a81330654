-- Retention (#17): the nightly prune deletes old queue rows a batch at a time and skips the
-- ones a kept record points to. Those references had no index, so every deleted row's
-- foreign-key check (and the prune's own "is it referenced" test) would scan the whole
-- referencing table: one index per reference, on the rows that have one.
create index client_replies_outbox on client_replies (outbox_id) where outbox_id is not null;
create index client_forward_copies_outbox on client_forward_copies (outbox_id);
create index outbox_edit_of on outbox (edit_of) where edit_of is not null;
create index pending_questions_answer_inbox on pending_questions (answer_inbox_id)
    where answer_inbox_id is not null;
