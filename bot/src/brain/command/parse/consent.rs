//! Consent and clients' Telegram links, as staff say them: "María García acepta mensajes
//! por WhatsApp", "Carlos no quiere promociones", "María García consent WhatsApp marketing",
//! "enlace de Telegram para María García".
//!
//! A consent is read only from a statement (never a question: "¿María acepta promociones?"
//! changes nothing) whose subject is one client (a name, or a pronoun for the client on the
//! card, never "los clientes que…", which is a segment), whose verb grants or refuses, and
//! which is about messages or marketing ("Carlos no quiere venir" is not a consent).

use super::{clean, Folded, Intent};
use crate::marketing::consent::ConsentChannel;

/// Verbs that refuse or withdraw, longest first where one holds another.
const REFUSE: &[&str] = &[
    "ya no quiere recibir",
    "ya no quiere",
    "no quiere recibir",
    "no quiere",
    "ya no desea",
    "no desea recibir",
    "no desea",
    "ya no acepta",
    "no acepta",
    "no autoriza",
    "rechaza",
    "retira su consentimiento",
    "retiro su consentimiento",
    "pidio no recibir",
    "se dio de baja",
    "se da de baja",
    "no longer wants",
    "does not want",
    "doesn't want",
    "doesnt want",
    "opted out",
    "opts out",
    "declined",
    "declines",
    "refuses",
    "withdrew consent",
    "withdraws consent",
    "unsubscribed",
];

/// Verbs that grant.
const GRANT: &[&str] = &[
    "acepta recibir",
    "acepta",
    "autoriza",
    "si quiere recibir",
    "si quiere",
    "quiere recibir",
    "da su consentimiento",
    "dio su consentimiento",
    "da permiso",
    "dio permiso",
    "se suscribio",
    "consents",
    "consent",
    "accepts",
    "agreed to",
    "agrees to",
    "opted in",
    "opts in",
    "wants to receive",
    "wants",
];

/// Words that make the statement about messages (marketing), not anything else.
const ABOUT: &[&str] = &[
    "mensaje",
    "mensajes",
    "promocion",
    "promociones",
    "promo",
    "promos",
    "publicidad",
    "marketing",
    "ofertas",
    "novedades",
    "whatsapp",
    "telegram",
    "sms",
    "correo",
    "correos",
    "email",
    "emails",
    "messages",
    "promotions",
    "offers",
    "newsletter",
];

/// Words a single client's name never holds: the subject is a group, a question, a list.
const NOT_ONE_CLIENT: &[&str] = &[
    "clientes",
    "clients",
    "customers",
    "owners",
    "duenos",
    "todos",
    "todas",
    "quienes",
    "quien",
    "who",
    "which",
    "cuantos",
    "cuales",
    "lista",
    "list",
    "que",
    "that",
    "nadie",
    "nobody",
];

/// The client on the card, by pronoun or description.
const CARD_CLIENT: &[&str] = &[
    "ella",
    "el",
    "she",
    "he",
    "el cliente",
    "la clienta",
    "este cliente",
    "esta clienta",
    "the client",
    "this client",
];

/// Words that may follow the verb when the statement names no client ("acepta promociones
/// por WhatsApp"): anything else may be a name said after the verb, and then the card's
/// client is not a safe guess.
const REST: &[&str] = &[
    "por",
    "de",
    "del",
    "en",
    "via",
    "recibir",
    "los",
    "las",
    "sus",
    "su",
    "y",
    "o",
    "to",
    "on",
    "by",
    "via",
    "and",
    "receive",
    "getting",
    "any",
    "more",
    "mas",
    "ya",
    "tambien",
    "also",
    "the",
    "de",
    "texto",
    "text",
    "electronico",
    "e-mail",
    "wasap",
    "whats",
    "mail",
];

/// Openings that only introduce the statement.
const LEADS: &[&str] = &[
    "registra que",
    "registrar que",
    "pon que",
    "record that",
    "log that",
    "ojo",
    "oye",
    "por favor",
    "please",
];

/// Where `word` stands as whole words in `t` (after `from`).
fn find(t: &str, word: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = t[at..].find(word) {
        let start = at + i;
        let end = start + word.len();
        let before = t[..start].chars().next_back();
        let after = t[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '\'');
        if boundary(before) && boundary(after) {
            return Some(start);
        }
        at = start + word.len().max(1);
    }
    None
}

/// The earliest of `verbs` in `t`: where it starts and ends.
fn earliest(t: &str, verbs: &[&str]) -> Option<(usize, usize)> {
    verbs
        .iter()
        .filter_map(|v| find(t, v, 0).map(|at| (at, at + v.len())))
        .min_by_key(|&(at, end)| (at, std::cmp::Reverse(end)))
}

/// The channel the words name, if any.
fn channel(t: &str) -> Option<ConsentChannel> {
    let named = |words: &[&str]| words.iter().any(|w| find(t, w, 0).is_some());
    if named(&["whatsapp", "wasap", "whats"]) {
        Some(ConsentChannel::WhatsApp)
    } else if named(&["telegram"]) {
        Some(ConsentChannel::Telegram)
    } else if named(&["sms", "mensajes de texto", "text messages"]) {
        Some(ConsentChannel::Sms)
    } else if named(&["correo", "correos", "email", "emails", "e-mail", "mail"]) {
        Some(ConsentChannel::Email)
    } else {
        None
    }
}

/// "NAME acepta/no quiere … mensajes/promociones [por CANAL]".
pub(super) fn phrase(f: &Folded, raw: &str) -> Option<Intent> {
    if f.quoted || raw.contains(['?', '¿']) {
        return None;
    }
    let t = f.text.as_str();
    let mut start = 0;
    while let Some(lead) = LEADS.iter().find(|l| t[start..].starts_with(**l)) {
        start += lead.len();
        start += t[start..].len() - t[start..].trim_start_matches([' ', ',', ':']).len();
    }
    let (granted, (verb_at, verb_end)) = match earliest(&t[start..], REFUSE) {
        Some(found) => (false, found),
        None => (true, earliest(&t[start..], GRANT)?),
    };
    let (verb_at, verb_end) = (start + verb_at, start + verb_end);
    let rest = &t[verb_end..];
    if !ABOUT.iter().any(|w| find(rest, w, 0).is_some()) {
        return None;
    }
    let subject = t[start..verb_at]
        .trim()
        .trim_end_matches([',', ':', '-', ' ']);
    let words: Vec<&str> = subject.split_whitespace().collect();
    if words.len() > 5 || words.iter().any(|w| NOT_ONE_CLIENT.contains(w)) {
        return None;
    }
    let who = if subject.is_empty() || CARD_CLIENT.contains(&subject) {
        let unknown = rest
            .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty())
            .any(|w| !ABOUT.contains(&w) && !REST.contains(&w));
        if unknown {
            return None;
        }
        None
    } else {
        Some(clean(f.original(start..verb_at)))
    };
    Some(Intent::Consent {
        who,
        channel: channel(rest),
        granted,
    })
}

/// "enlace de Telegram para María García", "Telegram link for Sarah", "link de telegram".
pub(super) fn link(f: &Folded) -> Option<Intent> {
    let t = f.text.as_str();
    let word = ["enlace", "link", "liga"]
        .iter()
        .filter_map(|w| find(t, w, 0).map(|at| at + w.len()))
        .min()?;
    let telegram = find(t, "telegram", 0)? + "telegram".len();
    let mut at = word.max(telegram);
    loop {
        let rest = &t[at..];
        let trimmed = rest.trim_start_matches([' ', ',', ':']);
        at += rest.len() - trimmed.len();
        let Some(connector) = ["para", "for", "de", "del", "a", "al", "to", "of"]
            .iter()
            .find(|c| find(&t[at..], c, 0) == Some(0))
        else {
            break;
        };
        at += connector.len();
    }
    let who = clean(f.original(at..t.len()));
    let folded = crate::domain::fold(&who);
    let who = (!who.is_empty() && !CARD_CLIENT.contains(&folded.as_str())).then_some(who);
    Some(Intent::Link { who })
}

/// `/enlace NAME`.
pub(super) fn link_command(args: &str) -> Intent {
    let who = clean(args);
    Intent::Link {
        who: (!who.is_empty()).then_some(who),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<Intent> {
        let f = Folded::new(text);
        phrase(&f, text).or_else(|| link(&f))
    }

    fn consent(
        who: Option<&str>,
        channel: Option<ConsentChannel>,
        granted: bool,
    ) -> Option<Intent> {
        Some(Intent::Consent {
            who: who.map(Into::into),
            channel,
            granted,
        })
    }

    #[test]
    fn consent_statements_name_the_client_the_channel_and_the_answer() {
        let wa = Some(ConsentChannel::WhatsApp);
        assert_eq!(
            read("María García acepta mensajes por WhatsApp"),
            consent(Some("María García"), wa, true)
        );
        assert_eq!(
            read("Carlos no quiere promociones"),
            consent(Some("Carlos"), None, false)
        );
        assert_eq!(
            read("María García consent WhatsApp marketing"),
            consent(Some("María García"), wa, true)
        );
        assert_eq!(
            read("acepta promociones por telegram"),
            consent(None, Some(ConsentChannel::Telegram), true)
        );
        assert_eq!(
            read("registra que Sarah Johnson ya no quiere recibir correos"),
            consent(Some("Sarah Johnson"), Some(ConsentChannel::Email), false)
        );
        for not in [
            "¿María García acepta promociones?",
            "clientes que aceptan promociones",
            "cat owners opted in",
            "Carlos no quiere venir el martes",
            "quien acepta promociones",
            "El cliente me escribió: 'no quiero promociones'",
            "acepta promociones maria garcia",
        ] {
            assert_eq!(read(not), None, "{not}");
        }
    }

    #[test]
    fn links_name_the_client_or_the_card() {
        let link = |who: Option<&str>| {
            Some(Intent::Link {
                who: who.map(Into::into),
            })
        };
        assert_eq!(
            read("enlace de Telegram para María García"),
            link(Some("María García"))
        );
        assert_eq!(
            read("Telegram link for Sarah Johnson"),
            link(Some("Sarah Johnson"))
        );
        assert_eq!(read("link de telegram"), link(None));
        assert_eq!(read("mándale el enlace de telegram a ella"), link(None));
        assert_eq!(read("enlace de pago para Carlos"), None);
    }
}
