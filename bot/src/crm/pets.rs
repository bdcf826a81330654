//! Pets, for cards that list them next to their owners.

use serde::Serialize;
use sqlx::PgExecutor;

/// A living pet of one of the requested owners.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OwnedPet {
    pub owner_id: i64,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
}

/// The living pets of `owners`, in id order. Deceased pets are never listed.
pub async fn living_pets<'c>(
    db: impl PgExecutor<'c>,
    owners: &[i64],
) -> sqlx::Result<Vec<OwnedPet>> {
    sqlx::query_as!(
        OwnedPet,
        "select owner_id, name, species, breed from pets
          where owner_id = any($1) and deceased_on is null order by owner_id, id",
        owners
    )
    .fetch_all(db)
    .await
}
