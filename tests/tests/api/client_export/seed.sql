-- Two clients with overlapping data: the same product, tag and campaign, B referred by A,
-- each with rows in every table that references a client. Client ids: A = 101, B = 102.
insert into staff (id, name, role) overriding system value
values (901, 'Dra. Export', 'owner'), (902, 'Lupe Export', 'staff')
on conflict do nothing;
insert into owners (id, first_name, last_name, email) overriding system value
values (101, 'Alicia', 'Zamora', 'alicia@example.mx'), (102, 'Bruno', 'Quintal', 'bruno@example.mx');
insert into owner_profiles (owner_id, phone_primary, address, referral_owner_id, notes)
values (101, '+5219981110001', 'Calle Coral 1', null, 'prefiere tardes'),
       (102, '+5219982220002', 'Calle Ceiba 2', 101, 'paga en efectivo');
insert into pets (id, owner_id, name, species, breed) overriding system value
values (201, 101, 'Canelita', 'dog', 'poodle'), (202, 101, 'Michifuz', 'cat', null),
       (203, 102, 'Tornado', 'dog', 'labrador');
insert into vaccinations (pet_id, vaccine, applied_on) values
  (201, 'rabia', '2025-01-10'), (202, 'triple felina', '2025-02-10'), (203, 'rabia', '2025-03-10');
insert into appointments (owner_id, pet_id, kind, status, scheduled_at, reason) values
  (101, 201, 'checkup', 'completed', '2025-06-01 10:00-05', 'revisión anual'),
  (101, 202, 'vaccination', 'completed', '2025-07-01 10:00-05', 'vacuna'),
  (102, 203, 'checkup', 'completed', '2025-06-02 10:00-05', 'cojea');
insert into products (id, sku, name, category, price) overriding system value
values (301, 'EXP-1', 'Croquetas Export', 'food', 500.00);
insert into orders (id, owner_id, ordered_at, status, total) overriding system value
values (401, 101, '2025-06-01 11:00-05', 'completed', 1000.00),
       (402, 102, '2025-06-02 11:00-05', 'completed', 500.00);
insert into order_items (order_id, product_id, quantity, unit_price) values
  (401, 301, 2, 500.00), (402, 301, 1, 500.00);
insert into owner_tags (id, name) overriding system value values (501, 'exportvip');
insert into owner_profile_tags (owner_id, tag_id, added_by) values (101, 501, 901), (102, 501, 902);
insert into owner_notes (owner_id, author_id, content) values
  (101, 901, 'Alicia nota uno'), (101, 902, 'Alicia nota dos'), (102, 901, 'Bruno nota secreta');
insert into consent_events (owner_id, channel, purpose, granted, source, recorded_by) values
  (101, 'whatsapp', 'marketing', true, 'chat', 901), (101, 'whatsapp', 'marketing', false, 'keyword', null),
  (102, 'email', 'marketing', true, 'chat', 902);
insert into loyalty_programs (id, owner_id) overriding system value values (601, 101), (602, 102);
insert into loyalty_transactions (loyalty_id, transaction_type, points, description, related_order_id)
values (601, 'earn', 50, 'compra', 401), (601, 'redeem', -20, 'baño', null), (602, 'earn', 25, 'compra', 402);
insert into loyalty_tier_changes (owner_id, from_tier, to_tier, spend_12m) values
  (101, 'bronze', 'silver', 1000.00), (102, 'bronze', 'silver', 500.00);
insert into marketing_campaigns (id, name, campaign_type, body, created_by) overriding system value
values (701, 'Reactivación export', 'whatsapp', 'Hola {nombre}', 901);
insert into campaign_recipients (campaign_id, owner_id, role, body) values
  (701, 101, 'target', 'Hola Alicia'), (701, 102, 'target', 'Hola Bruno');
insert into communications (owner_id, direction, channel, campaign_id, body, status) values
  (101, 'outbound', 'whatsapp', 701, 'Hola Alicia', 'sent'), (101, 'inbound', 'whatsapp', null, 'gracias', 'received'),
  (102, 'outbound', 'whatsapp', 701, 'Hola Bruno', 'sent');
insert into marketing_daily_sends (day, owner_id) values ('2025-06-03', 101), ('2025-06-03', 102);
insert into inbox (id, channel, platform_id, chat_id, payload) overriding system value values
  (801, 'whatsapp', 'wamid.EXP1', '5219981110001', '{"text": {"body": "hola soy Alicia"}}'),
  (802, 'whatsapp', 'wamid.EXP2', '5219982220002', '{"text": {"body": "hola soy Bruno"}}'),
  (803, 'telegram', 'tg-exp-1', '55501', '{"message": {"text": "Alicia por Telegram"}}'),
  (804, 'telegram', 'tg-exp-2', '55502', '{"message": {"text": "Bruno por Telegram"}}');
insert into client_forwards (id, inbox_id, channel, client_chat, client_phone, owner_id, profile_name, body, answered_by)
overriding system value values
  (851, 801, 'whatsapp', '5219981110001', '+5219981110001', 101, 'Ali', 'hola soy Alicia', 901),
  (852, 802, 'whatsapp', '5219982220002', '+5219982220002', 102, 'Bru', 'hola soy Bruno', null);
insert into outbox (id, channel, chat_id, body, status) overriding system value values
  (861, 'telegram', '700901', 'copia Alicia', 'sent'), (862, 'telegram', '700901', 'copia Bruno', 'sent'),
  (863, 'whatsapp', '5219981110001', 'respuesta a Alicia', 'sent');
insert into client_forward_copies (forward_id, channel, chat_id, outbox_id, lang) values
  (851, 'telegram', '700901', 861, 'es'), (852, 'telegram', '700901', 862, 'es');
insert into client_replies (source_message, forward_id, staff_id, body, outcome, outbox_id) values
  ('telegram:exp-1', 851, 901, 'respuesta a Alicia', 'queued', 863);
insert into client_reply_modes (channel, chat_id, sender_id, forward_id, expires_at) values
  ('telegram', '700901', '700901', 851, now() + interval '10 minutes'),
  ('telegram', '700902', '700902', 852, now() + interval '10 minutes');
insert into client_chats (owner_id, channel, chat_id) values (101, 'telegram', '55501'), (102, 'telegram', '55502');
insert into client_link_tokens (token, owner_id) values ('tok-alicia-secret', 101), ('tok-bruno-secret', 102);
insert into data_requests (owner_id, kind, requested_by) values (101, 'rectification', 901), (102, 'access', 901);
insert into customer_metrics (owner_id, total_spent) values (101, 1000.00), (102, 500.00)
on conflict (owner_id) do nothing;
insert into client_field_changes (owner_id, field, old_value, new_value, changed_by, request_id)
select 101, 'email', 'alicia@old.example', 'alicia@example.com', 901, id
  from data_requests where owner_id = 101 and kind = 'rectification';
insert into client_field_changes (owner_id, field, old_value, new_value, changed_by)
values (102, 'address', 'Calle 1', 'Calle 2', 901);
