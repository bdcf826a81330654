//! Finding owners by name, phone, email or pet name: accent-, case- and typo-tolerant
//! (`unaccent` + `pg_trgm` word similarity), ranked best first.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use unicode_normalization::UnicodeNormalization;

use crate::domain::PhoneNumber;

/// Optional narrowing of a search.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// Only owners with a living pet of this species (dog, cat, bird, ...).
    pub species: Option<String>,
    /// Only owners with this tag (case- and accent-insensitive).
    pub tag: Option<String>,
    /// Only owners who spent at least this much (MXN, completed orders).
    pub min_spent: Option<Decimal>,
}

/// One ranked match.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OwnerMatch {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub total_spent: Decimal,
    /// Day of the last completed visit (from the nightly metrics).
    pub last_visit: Option<chrono::NaiveDate>,
    /// 0..1: how well the query matched (1 = exact phone/email or name).
    pub score: f32,
    /// What matched: "name", "phone", "email" or "pet".
    pub matched: String,
}

/// Searches owners; at most `limit` matches, best first.
#[tracing::instrument(name = "search owners", skip(pool))]
pub async fn search(
    pool: &PgPool,
    query: &str,
    filters: &SearchFilters,
    limit: i64,
) -> sqlx::Result<Vec<OwnerMatch>> {
    let query = normalise(query);
    let query = query.as_str();
    let phone = PhoneNumber::parse(query).ok();
    // A Mexican mobile may be stored as `+52…` or `+521…`: either matches.
    let phone_forms = phone.as_ref().map(PhoneNumber::forms).unwrap_or_default();
    let phone = phone.map(|p| p.to_string());
    let email = query.contains('@').then(|| query.trim().to_lowercase());
    sqlx::query_as!(
        OwnerMatch,
        r#"
        with q as (select f_search_key(trim($1)) as key),
        exact as (select o.id from owners o, q where o.search_name = q.key),
        -- Each query word corrected against the lexicon of name words (migration 012):
        -- "(maria | mariana) & (garcia | garza)"; null when no word is near a known one.
        corrected as (
            select tsquery_all(alternatives) as tsq
              from (select tsquery_any(plainto_tsquery('simple', d.word)) as alternatives
                      from q, unnest(tsvector_to_array(to_tsvector('simple', q.key))) w
                      join search_lexicon d on d.word % w
                     where not exists (select 1 from exact) and $2::text is null and $3::text is null
                     group by w) words
        ),
        -- The names matched: the query itself when some owner bears it exactly, else the
        -- names (not the owners: every owner with a name scores the same) holding a
        -- corrected word of every query word (an index look-up) whose word similarity keeps
        -- them (0.5: one letter dropped from a 7-letter name, "chimelo", still counts;
        -- computed, not `<%`, so the long trigram posting lists stay unread), ranked by it
        -- less a point per edit (up to 10; levenshtein reads at most 255 characters) so that
        -- "ximena martinz gonzalez" puts the names in that order first. Fuzzy matching only
        -- when no name is exactly the query and it is not a phone or an email (one-time
        -- conditions: the scans are then skipped).
        names as (
            select q.key as search_name, 1.0 as score from q where exists (select 1 from exact)
            union all
            select n.search_name, word_similarity(q.key, n.search_name)
                         - 0.01 * levenshtein_less_equal(left(q.key, 255), left(n.search_name, 255), 10)
              from owner_names n, q
             where to_tsvector('simple', n.search_name) @@ (select tsq from corrected)
               and word_similarity(q.key, n.search_name) >= 0.5
        ),
        hits as (
            -- Each name's first owners in the list's order, filtered as the list is: owners
            -- after them with the same name and score would not be shown.
            select o.id, n.score, 'name' as matched, o.full_name
              from names n
             cross join lateral (
                   select o.id, o.full_name from owners o
                    where o.search_name = n.search_name
                      and ($4::text is null or exists (select 1 from pets pt where pt.owner_id = o.id
                                                        and pt.species = $4 and pt.deceased_on is null))
                      and ($5::text is null or exists (select 1 from owner_profile_tags x join owner_tags t on t.id = x.tag_id
                                                        where x.owner_id = o.id and t.name_key = f_search_key(trim($5))))
                      and ($6::numeric is null
                           or coalesce((select a.total_spent from owner_activity a where a.owner_id = o.id), 0) >= $6)
                      and not exists (select 1 from erased_clients e where e.owner_id = o.id)
                    order by o.full_name, o.id
                    limit $7) o
            union all
            select pt.owner_id, (word_similarity(q.key, pt.search_name)
                                 - 0.01 * levenshtein_less_equal(left(q.key, 255), left(pt.search_name, 255), 10)) * 0.9, 'pet',
                   (select o.full_name from owners o where o.id = pt.owner_id)
              from pets pt, q
             where to_tsvector('simple', pt.search_name) @@ (select tsq from corrected)
               and word_similarity(q.key, pt.search_name) >= 0.5 and pt.deceased_on is null
            union all
            select o.id, 1.0, 'phone', o.full_name from owner_profiles p join owners o on o.id = p.owner_id
             where $2::text is not null and (p.phone_primary = any($8) or p.phone_secondary = any($8))
            union all
            select o.id, 1.0, 'email', o.full_name from owners o where $3::text is not null and lower(o.email) = $3
        ),
        best as (
            select distinct on (id) id, score, matched, full_name from hits order by id, score desc
        ),
        -- The page, before the rest of each owner is read.
        top as (
            select b.* from best b
             where ($4::text is null or exists (select 1 from pets pt where pt.owner_id = b.id
                                                 and pt.species = $4 and pt.deceased_on is null))
               and ($5::text is null or exists (select 1 from owner_profile_tags x join owner_tags t on t.id = x.tag_id
                                                 where x.owner_id = b.id and t.name_key = f_search_key(trim($5))))
               and ($6::numeric is null
                    or coalesce((select a.total_spent from owner_activity a where a.owner_id = b.id), 0) >= $6)
               -- An erased client is no one to find.
               and not exists (select 1 from erased_clients e where e.owner_id = b.id)
             order by b.score desc, b.full_name, b.id
             limit $7
        )
        select o.id as "id!", o.full_name as "name!", p.phone_primary as phone, o.email,
               coalesce(a.total_spent, 0) as "total_spent!",
               m.last_visit_date as "last_visit?",
               b.score::real as "score!", b.matched as "matched!"
          from top b
          join owners o on o.id = b.id
          join owner_profiles p on p.owner_id = o.id
          left join customer_metrics m on m.owner_id = o.id
          left join owner_activity a on a.owner_id = o.id
         order by b.score desc, o.full_name, o.id
        "#,
        query,
        phone,
        email,
        filters.species,
        filters.tag,
        filters.min_spent,
        limit,
        &phone_forms
    )
    .fetch_all(pool)
    .await
}

/// The text a person meant, as names and phones are stored: Unicode NFKC (fullwidth
/// `９９８` is `998`, `ＭＡＲＩＡ` is `MARIA`), without the invisible characters that copy-paste
/// and phone keyboards slip in (zero-width spaces and joiners, direction marks, BOM, soft
/// hyphen), and with control characters (NUL included, which PostgreSQL refuses) as spaces.
/// Invisible characters go first so that a letter and its accent split by one compose again.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !is_invisible(*c))
        .nfkc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalising_reads_through_fullwidth_and_invisible_characters() {
        assert_eq!(normalise("９９８ １２３ ４５６７"), "998 123 4567");
        assert_eq!(normalise("ＭＡＲＩＡ"), "MARIA");
        assert_eq!(
            normalise("Mar\u{200B}ía\u{FEFF} Gar\u{200D}cía"),
            "María García"
        );
        // A letter and its combining accent, split by a zero-width space, compose again.
        assert_eq!(normalise("Mari\u{200B}\u{301}a"), "María");
        assert_eq!(normalise("a\u{0}b\tc"), "a b c");
    }
}
