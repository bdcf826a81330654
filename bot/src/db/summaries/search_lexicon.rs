//! The distinct words of owner and pet names (migration 012), which typo-tolerant search
//! corrects query words against, and the distinct owner names it then matches and scores
//! (`owner_names`, migration owner_names).

use sqlx::PgConnection;

use super::{covering, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("owners", "owners_lexicon_insert"),
    on("owners", "owners_lexicon_update"),
    on("pets", "pets_lexicon_insert"),
    on("pets", "pets_lexicon_update"),
    on("owners", "owners_names_insert"),
    on("owners", "owners_names_update"),
];

// Words and names are only ever added: one left behind by a renamed owner finds no one and
// costs nothing, so only words or names missing are differences.
pub(super) const STORED: &[Stored] = &[
    covering("search_lexicon", "word"),
    covering("owner_names", "search_name"),
];

/// The lexicon from every owner's and pet's name, and the names from every owner's.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("select from search_lexicon_rebuild()")
        .execute(&mut *conn)
        .await?;
    sqlx::query!("select from owner_names_rebuild()")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
