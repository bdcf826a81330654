//! The distinct words of owner and pet names (migration 012), which typo-tolerant search
//! corrects query words against.

use sqlx::PgConnection;

use super::{covering, on, Stored, Trigger};

pub(super) const TRIGGERS: &[Trigger] = &[
    on("owners", "owners_lexicon_insert"),
    on("owners", "owners_lexicon_update"),
    on("pets", "pets_lexicon_insert"),
    on("pets", "pets_lexicon_update"),
];

// Words are only ever added: a word left behind by a renamed owner finds no one and costs
// nothing, so only words missing from the lexicon are differences.
pub(super) const STORED: &[Stored] = &[covering("search_lexicon", "word")];

/// The lexicon from every owner's and pet's name.
pub(super) async fn rebuild(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("select from search_lexicon_rebuild()")
        .execute(conn)
        .await?;
    Ok(())
}
