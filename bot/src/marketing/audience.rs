//! Who a campaign reaches: for each client asked for, the channel and chat, the language,
//! what the message can say about them (pets, what is due, last visit), or why they are
//! left out. The rules are `../shared/MARKETING.md`'s: consent first, grief safety, no
//! marketing templates to US numbers, at most one campaign per client per `recent_days`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::{CampaignKind, Policy};
use crate::clock::ClinicClock;
use crate::domain::Lang;

/// Why a client does not receive a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// No phone and no linked Telegram chat.
    NoPhone,
    /// Withdrew consent for marketing on the channel.
    OptedOut,
    /// Never gave consent for marketing on the channel.
    NoConsent,
    /// Every pet of the client has died.
    DeceasedPet,
    /// A pet died within the grief period.
    Grieving,
    /// Messaged by a campaign within `recent_days`.
    RecentlyMessaged,
    /// A US number: WhatsApp delivers no marketing templates there.
    UsNumber,
    /// Taken out of the draft by staff.
    Removed,
}

impl Exclusion {
    pub const ALL: [Exclusion; 8] = [
        Self::NoPhone,
        Self::OptedOut,
        Self::NoConsent,
        Self::DeceasedPet,
        Self::Grieving,
        Self::RecentlyMessaged,
        Self::UsNumber,
        Self::Removed,
    ];

    /// The code in `campaign_recipients.exclusion`.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoPhone => "no_phone",
            Self::OptedOut => "opted_out",
            Self::NoConsent => "no_consent",
            Self::DeceasedPet => "deceased_pet",
            Self::Grieving => "grieving",
            Self::RecentlyMessaged => "recently_messaged",
            Self::UsNumber => "us_number",
            Self::Removed => "removed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Why, in a few words.
    pub fn reason(self, lang: Lang) -> &'static str {
        match self {
            Self::NoPhone => lang.pick("sin teléfono", "no phone"),
            Self::OptedOut => lang.pick("pidió no recibir mensajes", "opted out"),
            Self::NoConsent => lang.pick(
                "sin consentimiento para promociones",
                "no marketing consent",
            ),
            Self::DeceasedPet => lang.pick("su mascota falleció", "their pet died"),
            Self::Grieving => lang.pick("falleció una mascota hace poco", "a pet died recently"),
            Self::RecentlyMessaged => lang.pick(
                "ya recibió una campaña hace poco",
                "messaged by a campaign recently",
            ),
            Self::UsNumber => lang.pick(
                "número de EE. UU. (WhatsApp no entrega promociones)",
                "US number (WhatsApp delivers no marketing there)",
            ),
            Self::Removed => lang.pick("quitado del borrador", "removed from the draft"),
        }
    }
}

/// One client a campaign considered.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub owner_id: i64,
    pub first_name: String,
    pub full_name: String,
    pub lang: Lang,
    /// `whatsapp` or `telegram` (None when there is no way to reach them).
    pub channel: Option<&'static str>,
    /// WhatsApp digits or Telegram chat id.
    pub chat_id: Option<String>,
    /// Living pets' names.
    pub pets: Vec<String>,
    /// Living pets whose birthday is today (29 Feb counts on 28 Feb in other years).
    pub birthday_pets: Vec<String>,
    /// The next vaccine due: pet, vaccine, date.
    pub due: Option<(String, String, NaiveDate)>,
    pub last_visit: Option<NaiveDate>,
    pub exclusion: Option<Exclusion>,
}

/// US area codes are every +1 code but Canada's and the Caribbean's: Canadian numbers get
/// marketing templates, so they are told apart by area code.
const CANADA: &[&str] = &[
    "204", "226", "236", "249", "250", "263", "289", "306", "343", "354", "365", "367", "368",
    "382", "387", "403", "416", "418", "428", "431", "437", "438", "450", "460", "468", "474",
    "506", "514", "519", "548", "579", "581", "584", "587", "604", "613", "639", "647", "672",
    "683", "705", "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873",
    "879", "902", "905",
];

/// The Caribbean countries of the +1 plan (US territories such as Puerto Rico are US
/// numbers for WhatsApp's rule, so they are not listed).
const CARIBBEAN: &[&str] = &[
    "242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721", "758",
    "767", "784", "809", "829", "849", "868", "869", "876",
];

/// Whether an E.164 number is in the United States (not Canada or the Caribbean). The
/// campaign sender checks it again before each template (`marketing/send/deliver.rs`).
pub fn is_us_number(e164: &str) -> bool {
    match e164.strip_prefix("+1") {
        Some(rest) if rest.len() >= 3 => {
            let area = &rest[..3];
            !CANADA.contains(&area) && !CARIBBEAN.contains(&area)
        }
        _ => false,
    }
}

/// The clients `ids` (in that order) as a campaign of `kind` would see them now; for a
/// follow-up of `follows`, that chain's own messages do not count as "recently messaged".
pub async fn candidates(
    pool: &PgPool,
    clock: &ClinicClock,
    policy: &Policy,
    kind: CampaignKind,
    ids: &[i64],
    follows: Option<i64>,
) -> sqlx::Result<Vec<Candidate>> {
    let today = clock.today();
    let now: DateTime<Utc> = clock.now();
    let rows = sqlx::query!(
        r#"
        -- language=PostgreSQL
        select o.id as "owner_id!", o.first_name as "first_name!", o.full_name as "full_name!",
               coalesce(p.preferred_language, 'es') as "lang!", p.phone_primary,
               tg.chat_id as "telegram_chat?",
               (select c.granted from consent_events c
                 where c.owner_id = o.id and c.channel = 'whatsapp' and c.purpose = 'marketing'
                 order by c.recorded_at desc, c.id desc limit 1) as wa_consent,
               (select c.granted from consent_events c
                 where c.owner_id = o.id and c.channel = 'telegram' and c.purpose = 'marketing'
                 order by c.recorded_at desc, c.id desc limit 1) as tg_consent,
               coalesce((select array_agg(pt.name order by pt.id) from pets pt
                          where pt.owner_id = o.id and pt.deceased_on is null), '{}') as "pets!",
               coalesce((select array_agg(pt.name order by pt.id) from pets pt
                          where pt.owner_id = o.id and pt.deceased_on is null
                            and (to_char(pt.birth_date, 'MM-DD') = to_char($2::date, 'MM-DD')
                                 or (to_char(pt.birth_date, 'MM-DD') = '02-29'
                                     and to_char($2::date, 'MM-DD') = '02-28'
                                     and extract(day from $2::date + 1) = 1))), '{}') as "birthday_pets!",
               (select count(*) from pets pt where pt.owner_id = o.id) as "all_pets!",
               (select max(pt.deceased_on) from pets pt where pt.owner_id = o.id) as last_death,
               due.pet as "due_pet?", due.vaccine as "due_vaccine?", due.due_on as "due_on?",
               m.last_visit_date as "last_visit?",
               (select max(r.sent_at) from campaign_recipients r
                 where r.owner_id = o.id and r.role = 'target' and r.sent_at is not null
                   and r.campaign_id not in (
                       with recursive chain (id) as (
                           select $3::bigint
                           union all
                           select c.parent_campaign_id from marketing_campaigns c
                             join chain on c.id = chain.id
                            where c.parent_campaign_id is not null)
                       select id from chain where id is not null)) as last_campaign
          from unnest($1::bigint[]) with ordinality as ids (id, n)
          join owners o on o.id = ids.id
          left join owner_profiles p on p.owner_id = o.id
          left join customer_metrics m on m.owner_id = o.id
          left join lateral (
                select cc.chat_id from client_chats cc
                 where cc.owner_id = o.id and cc.channel = 'telegram'
                 order by cc.linked_at desc limit 1) tg on true
          left join lateral (
                select pt.name as pet, v.vaccine, v.due_on
                  from vaccinations v join pets pt on pt.id = v.pet_id
                 where pt.owner_id = o.id and pt.deceased_on is null and v.due_on is not null
                   and not exists (select 1 from vaccinations later
                                    where later.pet_id = v.pet_id
                                      and lower(later.vaccine) = lower(v.vaccine)
                                      and later.applied_on > v.applied_on)
                 order by v.due_on limit 1) due on true
         -- An erased client is in no campaign, whatever the list it came from.
         where not exists (select 1 from erased_clients e where e.owner_id = o.id)
         order by ids.n
        "#,
        ids,
        today,
        follows
    )
    .fetch_all(pool)
    .await?;
    let grief_start = today
        .checked_sub_months(chrono::Months::new(policy.grief_months.max(0) as u32))
        .unwrap_or(today);
    let recent = now - chrono::Duration::days(i64::from(policy.recent_days));
    Ok(rows
        .into_iter()
        .map(|r| {
            let telegram = r
                .telegram_chat
                .clone()
                .filter(|_| r.tg_consent == Some(true));
            let (channel, chat_id, consent) = match (&telegram, &r.phone_primary) {
                (Some(chat), _) => (Some("telegram"), Some(chat.clone()), r.tg_consent),
                (None, Some(phone)) => (
                    Some("whatsapp"),
                    Some(phone.trim_start_matches('+').to_owned()),
                    r.wa_consent,
                ),
                (None, None) => (
                    r.telegram_chat.as_ref().map(|_| "telegram"),
                    r.telegram_chat.clone(),
                    r.tg_consent,
                ),
            };
            let exclusion = if channel.is_none() {
                Some(Exclusion::NoPhone)
            } else if consent == Some(false) {
                Some(Exclusion::OptedOut)
            } else if consent.is_none() {
                Some(Exclusion::NoConsent)
            } else if r.last_death.is_some_and(|d| d >= grief_start) {
                Some(Exclusion::Grieving)
            } else if kind.needs_living_pet() && r.all_pets > 0 && r.pets.is_empty() {
                Some(Exclusion::DeceasedPet)
            } else if channel == Some("whatsapp")
                && r.phone_primary.as_deref().is_some_and(is_us_number)
            {
                Some(Exclusion::UsNumber)
            } else if r.last_campaign.is_some_and(|t| t > recent) {
                Some(Exclusion::RecentlyMessaged)
            } else {
                None
            };
            Candidate {
                owner_id: r.owner_id,
                first_name: r.first_name,
                full_name: r.full_name,
                lang: Lang::from_code(&r.lang),
                channel,
                chat_id,
                pets: r.pets,
                birthday_pets: r.birthday_pets,
                due: match (r.due_pet, r.due_vaccine, r.due_on) {
                    (Some(p), Some(v), Some(d)) => Some((p, v, d)),
                    _ => None,
                },
                last_visit: r.last_visit,
                exclusion,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_numbers_are_told_from_canadian_and_mexican_ones() {
        assert!(is_us_number("+13055550123"));
        assert!(!is_us_number("+14165550123"));
        assert!(!is_us_number("+18095550123"), "Dominican Republic");
        assert!(is_us_number("+17875550100"), "Puerto Rico");
        assert!(!is_us_number("+529981234567"));
        assert!(!is_us_number("+1"));
    }

    #[test]
    fn every_exclusion_has_a_code_and_reasons() {
        for e in Exclusion::ALL {
            assert_eq!(Exclusion::from_code(e.code()), Some(e));
            assert_ne!(e.reason(Lang::Es), e.reason(Lang::En));
        }
    }
}
