//! A list of clients as a file (issue 15): every row of an at-risk, lapsed, top, new or
//! high-value list, a segment or a search — not only the page the chat showed — with the
//! columns staff work from: name, phone, pets, spend, last visit, risk, reasons, tags.
//! Written as `.xlsx` or `.csv` by [`crate::render::spreadsheet`].

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::clock::ClinicClock;
use crate::crm::insights::{self, InsightKind};
use crate::crm::segments::{self, Criteria};
use crate::domain::Lang;
use crate::intelligence::reasons;

/// At most this many rows go in one file (a clinic's whole client base fits).
pub const MAX_ROWS: i64 = 20_000;

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    #[default]
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv",
        }
    }

    /// "Excel" / "CSV", as staff say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Xlsx => "Excel",
            Self::Csv => "CSV",
        }
    }
}

/// One client's row.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub owner_id: i64,
    pub name: String,
    pub phone: Option<String>,
    /// Living pets, "Max (perro)" style names only.
    pub pets: Vec<String>,
    /// Lifetime spend on completed orders (MXN).
    pub spent: Decimal,
    pub last_visit: Option<NaiveDate>,
    /// The nightly model's churn risk, 0–1 (None before its first run).
    pub risk: Option<f64>,
    pub reasons: Vec<String>,
    pub tags: Vec<String>,
}

/// Which clients a list holds, in its order: the whole list, re-read without paging.
/// `tool`/`args` are the call that showed it (see `marketing::lists::ShownList`); `shown`
/// the ids the chat saw, used as they are for a list that cannot be re-read (a search).
pub async fn all_ids(
    pool: &PgPool,
    clock: &ClinicClock,
    tool: &str,
    args: &serde_json::Value,
    shown: &[i64],
) -> sqlx::Result<Vec<i64>> {
    match tool {
        crate::tools::get_customer_insights::NAME => {
            match serde_json::from_value::<InsightKind>(args["insight_type"].clone()) {
                Ok(kind) => insight_ids(pool, clock, kind).await,
                Err(_) => Ok(shown.to_vec()),
            }
        }
        crate::tools::get_segment::NAME => {
            let criteria = serde_json::from_value::<Option<Criteria>>(args["filters"].clone())
                .ok()
                .flatten()
                .unwrap_or_default()
                .normalised();
            match criteria {
                Ok(c) => {
                    let tz = clock.tz().name();
                    let page = segments::find(pool, clock.today(), tz, &c, MAX_ROWS, 0).await?;
                    Ok(page.owners.iter().map(|o| o.id).collect())
                }
                Err(_) => Ok(shown.to_vec()),
            }
        }
        _ => Ok(shown.to_vec()),
    }
}

/// Every client of insight list `kind`, in the list's order.
pub async fn insight_ids(
    pool: &PgPool,
    clock: &ClinicClock,
    kind: InsightKind,
) -> sqlx::Result<Vec<i64>> {
    let (rows, _) = insights::list(pool, clock, kind, MAX_ROWS).await?;
    Ok(rows.iter().map(|r| r.owner_id).collect())
}

/// The rows of clients `ids`, in that order (erased clients left out), reasons worded in
/// `lang`.
pub async fn rows(
    pool: &PgPool,
    clock: &ClinicClock,
    ids: &[i64],
    lang: Lang,
) -> sqlx::Result<Vec<ListRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.id as "owner_id!", o.full_name as "name!", p.phone_primary as phone,
               coalesce(m.total_spent, 0) as "spent!", m.last_visit_date as last_visit,
               m.churn_risk_score as "risk?",
               coalesce((select array_agg(pt.name order by pt.id) from pets pt
                          where pt.owner_id = o.id and pt.deceased_on is null), '{}') as "pets!",
               coalesce((select array_agg(t.name order by t.name) from owner_profile_tags x
                           join owner_tags t on t.id = x.tag_id
                          where x.owner_id = o.id), '{}') as "tags!"
          from unnest($1::bigint[]) with ordinality as k(id, n)
          join owners o on o.id = k.id
          join owner_profiles p on p.owner_id = o.id
          left join customer_metrics m on m.owner_id = o.id
         where not exists (select 1 from erased_clients e where e.owner_id = o.id)
         order by k.n
        "#,
        ids
    )
    .fetch_all(pool)
    .await?;
    let listed: Vec<i64> = found.iter().map(|r| r.owner_id).collect();
    let mut why: HashMap<i64, Vec<crate::domain::Reason>> = HashMap::new();
    for chunk in listed.chunks(2_000) {
        why.extend(reasons::reasons(pool, clock, chunk).await?);
    }
    Ok(found
        .into_iter()
        .map(|r| {
            let name_pet = r.pets.len() > 1;
            let reasons = why
                .remove(&r.owner_id)
                .unwrap_or_default()
                .iter()
                .map(|reason| reason.text(lang, name_pet))
                .collect();
            ListRow {
                owner_id: r.owner_id,
                name: r.name,
                phone: r.phone,
                pets: r.pets,
                spent: r.spent,
                last_visit: r.last_visit,
                risk: r.risk,
                reasons,
                tags: r.tags,
            }
        })
        .collect())
}
