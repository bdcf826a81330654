-- A client's data export (issue 13) reads every row that references the client; these
-- references had no index, so one export scanned whole tables (appointments by pet on the
-- 100k clinic, forwards and tier changes by owner). They also serve erasure.
create index appointments_pet on appointments (pet_id);
create index owner_profiles_referral on owner_profiles (referral_owner_id) where referral_owner_id is not null;
create index client_forwards_owner on client_forwards (owner_id) where owner_id is not null;
create index client_link_tokens_owner on client_link_tokens (owner_id);
create index client_replies_forward on client_replies (forward_id);
create index client_reply_modes_forward on client_reply_modes (forward_id);
create index loyalty_transactions_order on loyalty_transactions (related_order_id) where related_order_id is not null;
create index loyalty_tier_changes_owner on loyalty_tier_changes (owner_id);
create index marketing_daily_sends_owner on marketing_daily_sends (owner_id);
