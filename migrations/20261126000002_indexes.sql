-- Indexes for the look-ups the tools make. Kept apart from the tables so a bulk load can
-- drop and rebuild them (see `vetbot demo --owners`).
create index owners_search_name_trgm on owners using gin (search_name gin_trgm_ops);
create index owners_email_lower on owners (lower(email));
create index owner_profiles_phone_primary on owner_profiles (phone_primary);
create index owner_profiles_phone_secondary on owner_profiles (phone_secondary);
create index owner_profile_tags_tag on owner_profile_tags (tag_id);
create index owner_notes_owner on owner_notes (owner_id, created_at desc);
create index pets_owner on pets (owner_id);
create index pets_search_name_trgm on pets using gin (search_name gin_trgm_ops);
create index vaccinations_pet_due on vaccinations (pet_id, due_on);
create index appointments_owner_time on appointments (owner_id, scheduled_at desc);
create index appointments_time on appointments (scheduled_at);
create index orders_owner_time on orders (owner_id, ordered_at desc);
create index orders_time on orders (ordered_at);
create index order_items_order on order_items (order_id);
create index order_items_product on order_items (product_id);
create index communications_owner on communications (owner_id, sent_at desc);
create index communications_campaign on communications (campaign_id);
create index customer_metrics_days on customer_metrics (days_since_last_visit);
create index customer_metrics_spent on customer_metrics (total_spent desc);
create index inbox_pending on inbox (chat_id, id) where processed_at is null;
create index audit_log_at on audit_log (at desc);
