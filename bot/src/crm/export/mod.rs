//! A client's data export (the access right of LFPDPPP / GDPR, issue 13): everything vetbot
//! holds about one client, as one JSON document, read in one statement.
//!
//! Every table that references a client (directly, or through their pets, orders, loyalty
//! account or messages) has a section here; `tests/tests/api/client_export.rs` discovers
//! those tables from the database's foreign keys, so a table added later fails that test
//! until it is exported (or named there as not being client data). Rows are whole
//! (`to_jsonb`), so a column added later is exported without a change here; only search keys
//! and live credentials (a link token's secret) are left out. Other people's data is not:
//! a client this one referred appears as an id, staff as their names.

pub mod html;
pub mod request;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use crate::render::Attachment;

/// The document's format tag (`format` field): bumped when a section changes meaning.
pub const FORMAT: &str = "vetbot-client-export/1";

/// The sections of the document, in the order the readable copy shows them. Each is a list
/// of rows, except [`SINGLE`] ones (one row or null).
pub const SECTIONS: [&str; 27] = [
    "client",
    "profile",
    "activity",
    "metrics",
    "tags",
    "notes",
    "pets",
    "vaccinations",
    "appointments",
    "orders",
    "order_items",
    "loyalty_account",
    "loyalty_transactions",
    "loyalty_tier_changes",
    "consent_events",
    "communications",
    "campaign_recipients",
    "marketing_daily_sends",
    "client_messages",
    "client_message_copies",
    "client_message_replies",
    "client_message_reply_modes",
    "inbox_messages",
    "chat_links",
    "link_tokens",
    "data_requests",
    "contact_changes",
];

/// Sections that hold one row (or null), not a list.
pub const SINGLE: [&str; 5] = [
    "client",
    "profile",
    "activity",
    "metrics",
    "loyalty_account",
];

/// Clients this one referred (ids only: their data is theirs), a section of its own.
pub const REFERRED: &str = "referred_clients";

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no client with id {0}")]
    NoOwner(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// One client's export.
#[derive(Debug, Clone)]
pub struct ClientExport {
    pub owner_id: i64,
    /// The client's name (for the files' titles; it is personal data: never logged).
    pub name: String,
    pub generated_at: DateTime<Utc>,
    /// The document: `format`, `generated_at`, `owner_id` and every section.
    pub document: Value,
}

impl ClientExport {
    /// Rows per section (1 or 0 for single ones): what the export held, without personal
    /// data, for the request log and the model.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        SECTIONS
            .iter()
            .chain([&REFERRED])
            .map(|s| {
                let rows = match &self.document[*s] {
                    Value::Array(rows) => rows.len(),
                    Value::Null => 0,
                    _ => 1,
                };
                (s.to_string(), rows)
            })
            .collect()
    }

    /// The base of both files' names: `cliente-<id>-<date>` (no name in it: file names
    /// travel in logs and platforms' previews).
    pub fn file_stem(&self, lang: crate::domain::Lang) -> String {
        format!(
            "{}-{}-{}",
            lang.pick("datos-cliente", "client-data"),
            self.owner_id,
            self.generated_at.format("%Y%m%d-%H%M%S")
        )
    }

    /// The JSON file (pretty-printed, UTF-8).
    pub fn json_file(&self, lang: crate::domain::Lang) -> Attachment {
        let bytes = serde_json::to_vec_pretty(&self.document).expect("a JSON value serialises");
        Attachment {
            file_name: format!("{}.json", self.file_stem(lang)),
            mime_type: "application/json".into(),
            bytes,
            caption: String::new(),
            data_request: None,
        }
    }

    /// The readable, printable copy in `lang`, times in `tz`.
    pub fn html_file(&self, lang: crate::domain::Lang, tz: chrono_tz::Tz) -> Attachment {
        Attachment {
            file_name: format!("{}.html", self.file_stem(lang)),
            mime_type: "text/html".into(),
            bytes: html::render(self, lang, tz).into_bytes(),
            caption: String::new(),
            data_request: None,
        }
    }

    /// Both files.
    pub fn files(&self, lang: crate::domain::Lang, tz: chrono_tz::Tz) -> Vec<Attachment> {
        vec![self.json_file(lang), self.html_file(lang, tz)]
    }
}

/// Everything held about client `owner_id`, read in one statement (one consistent snapshot,
/// one round trip). Sets are matched with `= any(array(…))`, not `in (…)`: an `or` of two
/// such conditions is a bitmap-or of two index scans, where `in` made Postgres scan the
/// whole table (appointments and loyalty transactions on the 100k clinic: ~1 s).
#[tracing::instrument(name = "client_export", skip(pool))]
pub async fn collect(pool: &PgPool, owner_id: i64) -> Result<ClientExport, ExportError> {
    let row = sqlx::query!(
        r#"
        -- language=PostgreSQL
        with o as (select * from owners where id = $1),
        pet as (select * from pets where owner_id = $1),
        ord as (select * from orders where owner_id = $1),
        acct as (select * from loyalty_programs where owner_id = $1),
        fw as (select * from client_forwards where owner_id = $1)
        select o.full_name as "name!", now() as "generated_at!", jsonb_build_object(
          'client', to_jsonb(o) - 'search_name',
          'profile', (select to_jsonb(x) from owner_profiles x where x.owner_id = $1),
          'referred_clients', coalesce((select jsonb_agg(jsonb_build_object('owner_id', x.owner_id)
              order by x.owner_id) from owner_profiles x where x.referral_owner_id = $1), '[]'),
          'activity', (select to_jsonb(x) from owner_activity x where x.owner_id = $1),
          'metrics', (select to_jsonb(x) from customer_metrics x where x.owner_id = $1),
          'tags', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object('tag', t.name,
              'added_by_name', s.name) order by x.added_at, x.tag_id)
              from owner_profile_tags x join owner_tags t on t.id = x.tag_id
              left join staff s on s.id = x.added_by where x.owner_id = $1), '[]'),
          'notes', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object('author_name',
              s.name) order by x.created_at, x.id)
              from owner_notes x left join staff s on s.id = x.author_id
              where x.owner_id = $1), '[]'),
          'pets', coalesce((select jsonb_agg(to_jsonb(x) - 'search_name' order by x.id)
              from pet x), '[]'),
          'vaccinations', coalesce((select jsonb_agg(to_jsonb(x) order by x.applied_on, x.id)
              from vaccinations x where x.pet_id = any(array(select id from pet))), '[]'),
          'appointments', coalesce((select jsonb_agg(to_jsonb(x) order by x.scheduled_at, x.id)
              from appointments x
              where x.owner_id = $1 or x.pet_id = any(array(select id from pet))), '[]'),
          'orders', coalesce((select jsonb_agg(to_jsonb(x) order by x.ordered_at, x.id)
              from ord x), '[]'),
          'order_items', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'product', p.name, 'category', p.category, 'sku', p.sku) order by x.order_id, x.id)
              from order_items x left join products p on p.id = x.product_id
              where x.order_id = any(array(select id from ord))), '[]'),
          'loyalty_account', (select to_jsonb(x) from acct x),
          'loyalty_transactions', coalesce((select jsonb_agg(to_jsonb(x) order by x.created_at, x.id)
              from loyalty_transactions x where x.loyalty_id = any(array(select id from acct))
                 or x.related_order_id = any(array(select id from ord))), '[]'),
          'loyalty_tier_changes', coalesce((select jsonb_agg(to_jsonb(x) order by x.changed_at, x.id)
              from loyalty_tier_changes x where x.owner_id = $1), '[]'),
          'consent_events', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'recorded_by_name', s.name) order by x.recorded_at, x.id)
              from consent_events x left join staff s on s.id = x.recorded_by
              where x.owner_id = $1), '[]'),
          'communications', coalesce((select jsonb_agg(to_jsonb(x) order by x.sent_at, x.id)
              from communications x where x.owner_id = $1), '[]'),
          'campaign_recipients', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'campaign', c.name) order by x.campaign_id)
              from campaign_recipients x join marketing_campaigns c on c.id = x.campaign_id
              where x.owner_id = $1), '[]'),
          'marketing_daily_sends', coalesce((select jsonb_agg(to_jsonb(x) order by x.day)
              from marketing_daily_sends x where x.owner_id = $1), '[]'),
          'client_messages', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'answered_by_name', s.name) order by x.received_at, x.id)
              from fw x left join staff s on s.id = x.answered_by), '[]'),
          -- Which staff chats got a client's message: the staff chat's own id stays out.
          'client_message_copies', coalesce((select jsonb_agg(jsonb_build_object(
              'forward_id', x.forward_id, 'channel', x.channel, 'lang', x.lang)
              order by x.forward_id, x.channel)
              from client_forward_copies x
              where x.forward_id = any(array(select id from fw))), '[]'),
          'client_message_replies', coalesce((select jsonb_agg(to_jsonb(x) - 'source_message'
              || jsonb_build_object('staff_name', s.name) order by x.created_at, x.id)
              from client_replies x left join staff s on s.id = x.staff_id
              where x.forward_id = any(array(select id from fw))), '[]'),
          'client_message_reply_modes', coalesce((select jsonb_agg(jsonb_build_object(
              'forward_id', x.forward_id, 'channel', x.channel, 'expires_at', x.expires_at)
              order by x.expires_at)
              from client_reply_modes x
              where x.forward_id = any(array(select id from fw))), '[]'),
          -- The client's own messages as received: those forwarded, and those from a chat
          -- linked to the client.
          'inbox_messages', coalesce((select jsonb_agg(jsonb_build_object('id', x.id,
              'channel', x.channel, 'chat_id', x.chat_id, 'received_at', x.received_at,
              'payload', x.payload) order by x.received_at, x.id)
              from inbox x where x.id in (
                   select inbox_id from fw
                   union
                   select i.id from client_chats c
                     join inbox i on i.channel = c.channel and i.chat_id = c.chat_id
                    where c.owner_id = $1)), '[]'),
          'chat_links', coalesce((select jsonb_agg(to_jsonb(x) order by x.linked_at)
              from client_chats x where x.owner_id = $1), '[]'),
          -- The token itself is a live credential: only that one existed, and when.
          'link_tokens', coalesce((select jsonb_agg(to_jsonb(x) - 'token' order by x.created_at)
              from client_link_tokens x where x.owner_id = $1), '[]'),
          'data_requests', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'requested_by_name', s.name) order by x.requested_at, x.id)
              from data_requests x left join staff s on s.id = x.requested_by
              where x.owner_id = $1), '[]'),
          'contact_changes', coalesce((select jsonb_agg(to_jsonb(x) || jsonb_build_object(
              'changed_by_name', s.name) order by x.changed_at, x.id)
              from client_field_changes x left join staff s on s.id = x.changed_by
              where x.owner_id = $1), '[]')
        ) as "document!"
        from o
        "#,
        owner_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(ExportError::NoOwner(owner_id))?;
    let mut document = serde_json::json!({
        "format": FORMAT,
        "owner_id": owner_id,
        "generated_at": row.generated_at,
    });
    if let (Value::Object(head), Value::Object(sections)) = (&mut document, row.document) {
        head.extend(sections);
    }
    Ok(ClientExport {
        owner_id,
        name: row.name,
        generated_at: row.generated_at,
        document,
    })
}

/// Exports client `owner_id` into `dir` (the CLI's `vetbot client export`): both files
/// written, the request logged as answered. Returns the files' paths.
pub async fn to_directory(
    pool: &PgPool,
    owner_id: i64,
    lang: crate::domain::Lang,
    tz: chrono_tz::Tz,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let export = collect(pool, owner_id).await?;
    let files = export.files(lang, tz);
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    let detail = serde_json::json!({"files": names, "rows": export.counts(), "format": FORMAT});
    let id = request::log(pool, owner_id, None, "cli", &detail).await?;
    let mut paths = Vec::with_capacity(files.len());
    for file in &files {
        paths.push(file.write_into(dir)?);
    }
    request::answered(pool, id).await?;
    Ok(paths)
}
