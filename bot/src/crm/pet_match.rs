//! The pet a staff message names: by name (case and accents ignored), narrowed by its
//! owner's name or id when the message gives one. Writes about a pet (a death, a booking)
//! go to exactly one pet: several matches are listed back, never guessed.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

/// At most this many pets are listed back when a name is ambiguous.
pub const LISTED: i64 = 8;

/// A pet that matches, with its owner.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PetMatch {
    pub pet_id: i64,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub deceased_on: Option<NaiveDate>,
    pub owner_id: i64,
    pub owner_name: String,
}

/// The pets called `pet` (living first) whose owner `owner` names (a name or part of it, or
/// an id; `None`: any owner). Erased clients' pets never match.
pub async fn by_name(pool: &PgPool, pet: &str, owner: Option<&str>) -> sqlx::Result<Vec<PetMatch>> {
    let owner = owner.map(str::trim).filter(|o| !o.is_empty());
    let owner_id: Option<i64> = owner.and_then(|o| o.trim_start_matches('#').parse().ok());
    sqlx::query_as!(
        PetMatch,
        r#"select p.id as "pet_id!", p.name as "name!", p.species as "species!", p.breed,
                  p.birth_date, p.deceased_on, o.id as "owner_id!", o.full_name as "owner_name!"
             from pets p join owners o on o.id = p.owner_id
            where p.search_name = f_search_key(trim($1))
              and not exists (select 1 from erased_clients e where e.owner_id = o.id)
              and ($2::text is null
                   or ($3::bigint is not null and o.id = $3)
                   or ($3::bigint is null and o.search_name like '%' || f_search_key(trim($2)) || '%'))
            order by p.deceased_on is not null, o.full_name, p.id
            limit $4"#,
        pet,
        owner,
        owner_id,
        LISTED
    )
    .fetch_all(pool)
    .await
}

/// Pet `pet_id`, with its owner (None when there is none, or its owner's data was erased).
pub async fn by_id(pool: &PgPool, pet_id: i64) -> sqlx::Result<Option<PetMatch>> {
    sqlx::query_as!(
        PetMatch,
        r#"select p.id as "pet_id!", p.name as "name!", p.species as "species!", p.breed,
                  p.birth_date, p.deceased_on, o.id as "owner_id!", o.full_name as "owner_name!"
             from pets p join owners o on o.id = p.owner_id
            where p.id = $1
              and not exists (select 1 from erased_clients e where e.owner_id = o.id)"#,
        pet_id
    )
    .fetch_optional(pool)
    .await
}
