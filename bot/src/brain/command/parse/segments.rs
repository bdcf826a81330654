//! Segments: "/segmento vip gatos 90 dias $5,000 comida", and in prose: "dueños de perros
//! que gastaron más de 5 mil", "clientes con gato que no vienen hace 3 meses", "los VIP que
//! compraron alimento", "clientes que aceptan promociones", "owners of cats who spent over
//! $2,000", "¿quiénes compran Hill's?", "clientes oro", "gold clients".
//!
//! A brand is the words right after a verb of buying ("compraron Royal Canin", "who bought
//! Pro Plan") that no other filter took, up to a word that ends it ("que", "y", "hace"...).
//! A tier is its name, English or Spanish ("oro", "platinum").
//!
//! Amounts: "5 mil", "5,000", "$5000", "5k", "cinco mil". Lengths of time in days: a month
//! is 30 days, a year 365 ("3 meses" is 90). "no vienen hace 3 meses" is at least that
//! long since the last visit; "vinieron en los últimos 30 días" at most. Tags come folded
//! (lower case, no accents), as the database compares them.

use serde_json::{json, Map, Value};

use super::numbers::{self, duration_at, has_prefix, number_at, words};
use super::{Folded, Intent};
use crate::domain::{LoyaltyTier, ProductCategory, Species};

fn species(w: &str) -> Option<Species> {
    Some(match w {
        "perro" | "perros" | "perrito" | "perritos" | "perrita" | "perritas" | "perra"
        | "perras" | "canino" | "caninos" | "lomito" | "lomitos" | "dog" | "dogs" | "puppy"
        | "puppies" => Species::Dog,
        "gato" | "gatos" | "gata" | "gatas" | "gatito" | "gatitos" | "michi" | "michis"
        | "felino" | "felinos" | "cat" | "cats" | "kitten" | "kittens" => Species::Cat,
        "ave" | "aves" | "pajaro" | "pajaros" | "pajarito" | "pajaritos" | "perico" | "pericos"
        | "periquito" | "periquitos" | "loro" | "loros" | "canario" | "canarios" | "bird"
        | "birds" | "parrot" | "parrots" | "parakeet" | "parakeets" => Species::Bird,
        "conejo" | "conejos" | "conejito" | "conejitos" | "rabbit" | "rabbits" | "bunny"
        | "bunnies" => Species::Rabbit,
        "reptil" | "reptiles" | "tortuga" | "tortugas" | "iguana" | "iguanas" | "serpiente"
        | "serpientes" | "lagarto" | "lagartos" | "gecko" | "geckos" | "reptile" | "turtle"
        | "turtles" | "tortoise" | "tortoises" | "snake" | "snakes" | "lizard" | "lizards" => {
            Species::Reptile
        }
        "roedor" | "roedores" | "hamster" | "hamsters" | "hamster's" | "cuyo" | "cuyos"
        | "cobayo" | "cobayos" | "cobaya" | "cobayas" | "raton" | "ratones" | "rata" | "ratas"
        | "chinchilla" | "chinchillas" | "jerbo" | "jerbos" | "rodent" | "rodents" | "guinea"
        | "mouse" | "mice" | "rat" | "rats" | "gerbil" | "gerbils" => Species::Rodent,
        _ => return None,
    })
}

fn category(w: &str) -> Option<ProductCategory> {
    Some(match w {
        "alimento" | "alimentos" | "comida" | "croqueta" | "croquetas" | "food" | "kibble"
        | "pienso" => ProductCategory::Food,
        "medicamento" | "medicamentos" | "medicina" | "medicinas" | "medicine" | "medicines"
        | "medication" | "medications" | "meds" | "farmacia" | "desparasitante"
        | "desparasitantes" | "antipulgas" => ProductCategory::Medicine,
        "accesorio" | "accesorios" | "accessory" | "accessories" | "correa" | "correas"
        | "collar" | "collares" | "collars" | "leash" | "leashes" | "arnes" | "arneses" => {
            ProductCategory::Accessory
        }
        "higiene" | "hygiene" | "shampoo" | "shampoos" | "champu" | "aseo" => {
            ProductCategory::Hygiene
        }
        "juguete" | "juguetes" | "toy" | "toys" => ProductCategory::Toy,
        "suplemento" | "suplementos" | "supplement" | "supplements" | "vitamina" | "vitaminas"
        | "vitamin" | "vitamins" => ProductCategory::Supplement,
        _ => return None,
    })
}

fn tier(w: &str) -> Option<LoyaltyTier> {
    Some(match w {
        "bronce" | "bronze" => LoyaltyTier::Bronze,
        "plata" | "silver" => LoyaltyTier::Silver,
        "oro" | "gold" => LoyaltyTier::Gold,
        "platino" | "platinum" => LoyaltyTier::Platinum,
        _ => return None,
    })
}

/// Verbs of buying: a brand may follow.
const BUY: &[&str] = &[
    "compro",
    "compraron",
    "compran",
    "compra",
    "compren",
    "compraban",
    "compre",
    "bought",
    "buy",
    "buys",
    "purchased",
];
/// Words between the verb and the brand ("compraron la marca X", "bought the brand X").
const BEFORE_BRAND: &[&str] = &[
    "de",
    "la",
    "el",
    "los",
    "las",
    "marca",
    "marcas",
    "brand",
    "the",
    "productos",
    "producto",
    "products",
    "product",
    "categoria",
    "category",
    "alguna",
    "any",
    "algo",
    "something",
];
/// Words no brand holds: a brand ends before them ("que compraron Hill's y no vienen...").
const NOT_BRAND: &[&str] = &[
    "que",
    "y",
    "and",
    "o",
    "or",
    "who",
    "that",
    "hace",
    "en",
    "in",
    "con",
    "with",
    "sin",
    "without",
    "de",
    "del",
    "para",
    "for",
    "a",
    "al",
    "to",
    "mas",
    "more",
    "menos",
    "less",
    "nos",
    "este",
    "esta",
    "esto",
    "this",
    "last",
    "ultimo",
    "ultima",
    "ultimos",
    "ultimas",
    "mes",
    "meses",
    "semana",
    "ano",
    "anos",
    "month",
    "week",
    "year",
    "ayer",
    "hoy",
    "today",
    "seguido",
    "often",
    "siempre",
    "always",
    "nunca",
    "never",
    "antes",
    "before",
    "ever",
    "vez",
    "veces",
    "time",
    "times",
    "aqui",
    "here",
    "recently",
    "recientemente",
    "no",
    "not",
    "pero",
    "but",
    "son",
    "are",
    "los",
    "las",
    "el",
    "la",
    "the",
    "clientes",
    "clients",
    "customers",
];
/// At most this many words make a brand.
const BRAND_WORDS: usize = 4;

/// The brand after a verb of buying, from the words no filter took.
fn brand(w: &[&str], used: &[bool]) -> Option<String> {
    let verb = w.iter().position(|x| BUY.contains(x))?;
    let mut out: Vec<&str> = Vec::new();
    for (k, word) in w.iter().enumerate().skip(verb + 1) {
        if out.is_empty() && (BEFORE_BRAND.contains(word) || used[k]) {
            continue;
        }
        let number = word
            .chars()
            .all(|c| c.is_ascii_digit() || ",.$k".contains(c));
        if used[k] || NOT_BRAND.contains(word) || number || out.len() == BRAND_WORDS {
            break;
        }
        out.push(word);
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// Words around a number that make it money ("gastaron más de 5 mil", "spent over 2000").
const SPEND: &[&str] = &[
    "gast", "spen", "compra", "consum", "pesos", "mxn", "over", "more", "arriba", "+",
];
/// Words that say a client has not come ("no vienen hace 3 meses", "haven't visited in 90 days").
const NOT: &[&str] = &[
    "no", "sin", "haven't", "havent", "hasn't", "hasnt", "not", "without", "nunca", "never",
];
/// Words that ask for recent visits ("vinieron en los últimos 30 días").
const WITHIN: &[&str] = &[
    "ultimos", "ultimas", "ultimo", "ultima", "last", "past", "within", "recent", "recently",
];
/// Words about visiting; a length of time is a visit filter only with one.
const VISIT: &[&str] = &[
    "vin", "ven", "vien", "visit", "vist", "came", "come", "seen", "regres", "vuelto", "volv",
    "consult",
];
/// Segments the tools cannot filter by: the brain says so rather than list a wider group.
const UNSUPPORTED: &[&str] = &[
    "raza",
    "breed",
    "viven",
    "vive en",
    "live in",
    "lives in",
    "colonia",
    "zona",
    "cumple",
    "birthday",
    "edad",
    "mayores de",
    "older than",
    "sexo",
    "genero",
];

/// Words a slash command's leftovers are not tags.
const FILLER: &[&str] = &[
    "de", "del", "con", "y", "and", "mas", "+", "que", "los", "las", "el", "la", "with", "over",
    "more", "than", "pesos", "of", "who", "dias", "days", "dia", "day", "a",
];

/// What a segment message says: its filters, and which words they took.
struct Read {
    filters: Map<String, Value>,
    species_plural: bool,
}

fn read(t: &str, slash: bool) -> Read {
    let w = words(t);
    let mut filters = Map::new();
    let mut used = vec![false; w.len()];
    let mut tags: Vec<String> = vec![];
    let mut species_plural = false;
    let visits = slash || VISIT.iter().any(|v| has_prefix(t, v));
    let mut i = 0;
    while i < w.len() {
        let word = w[i];
        if let Some(s) = species(word) {
            filters
                .entry("pet_species")
                .or_insert_with(|| json!(s.as_db_str()));
            species_plural |= word.ends_with('s') || word == "mice";
            used[i] = true;
        } else if let Some(c) = category(word) {
            filters
                .entry("bought_category")
                .or_insert_with(|| json!(c.as_db_str()));
            used[i] = true;
        } else if let Some(tier) = tier(word) {
            filters
                .entry("loyalty_tier")
                .or_insert_with(|| json!(tier.as_db_str()));
            used[i] = true;
            // "nivel oro", "tier gold", "de nivel oro": the tier's words are no tags.
            if i > 0 && matches!(w[i - 1], "nivel" | "tier" | "categoria" | "level") {
                used[i - 1] = true;
            }
        } else if matches!(
            word,
            "especie" | "especies" | "species" | "pets" | "mascotas" | "animales"
        ) && i > 0
            && matches!(w[i - 1], "otra" | "otras" | "other" | "otros")
        {
            filters
                .entry("pet_species")
                .or_insert_with(|| json!(Species::Other.as_db_str()));
            species_plural = true;
            used[i] = true;
            used[i - 1] = true;
        } else if matches!(word, "otros" | "otro" | "other" | "varios")
            && i > 0
            && matches!(w[i - 1], "categoria" | "category")
            || matches!(word, "productos" | "products")
                && i > 0
                && matches!(w[i - 1], "otros" | "other")
        {
            filters
                .entry("bought_category")
                .or_insert_with(|| json!(ProductCategory::Other.as_db_str()));
            used[i] = true;
        } else if word == "vip" {
            tags.push("vip".into());
            used[i] = true;
        } else if matches!(
            word,
            "etiqueta"
                | "etiquetas"
                | "etiquetados"
                | "etiquetadas"
                | "etiquetado"
                | "tag"
                | "tagged"
                | "tags"
        ) {
            used[i] = true;
            let mut j = i + 1;
            while w.get(j).is_some_and(|n| {
                matches!(
                    *n,
                    "como" | "as" | "la" | "el" | "de" | "con" | "with" | "the" | "a"
                )
            }) {
                j += 1;
            }
            // "¿qué etiquetas tiene Sarah?" asks about one client: "tiene" is no tag.
            let verb = |n: &str| matches!(n, "tiene" | "tienen" | "has" | "have" | "does" | "do");
            if let Some(tag) = w.get(j).filter(|n| !verb(n)) {
                tags.push((*tag).to_owned());
                used[j] = true;
                i = j + 1;
                continue;
            }
        } else if let Some(d) = duration_at(&w, i).filter(|d| {
            // A bare unit ("mes") only after "el último", "last".
            !(d.len == 1 && d.count == 1) || i > 0 && WITHIN.contains(&w[i - 1])
        }) {
            if visits {
                let before = &w[i.saturating_sub(4)..i];
                let not = w.iter().any(|x| NOT.contains(x));
                let within = before.iter().any(|x| WITHIN.contains(x));
                let key = if within && !not && !slash {
                    "max_days_since_visit"
                } else {
                    "days_since_visit"
                };
                filters.entry(key).or_insert_with(|| json!(d.days));
                used[i..i + d.len].iter_mut().for_each(|u| *u = true);
            }
            i += d.len;
            continue;
        } else if let Some((n, len)) = number_at(&w, i) {
            let one_word_one = len == 1 && matches!(word, "a" | "un" | "una" | "uno" | "one");
            let money_word = word.starts_with('$')
                || word.ends_with('k')
                || word.ends_with("mil")
                || len > 1
                || w.get(i + len)
                    .is_some_and(|n| matches!(*n, "pesos" | "mxn" | "varos"));
            let spend_before = w[i.saturating_sub(4)..i]
                .iter()
                .any(|x| SPEND.iter().any(|s| x.starts_with(s)));
            if !one_word_one && (slash || money_word || spend_before) {
                filters.entry("min_spent").or_insert_with(|| json!(n));
                used[i..i + len].iter_mut().for_each(|u| *u = true);
            }
            i += len;
            continue;
        }
        i += 1;
    }
    let opted = (has_prefix(t, "acept")
        && [
            "promo",
            "mensaje",
            "marketing",
            "publicidad",
            "campan",
            "difusion",
            "ofertas",
        ]
        .iter()
        .any(|p| has_prefix(t, p)))
        || [
            "opted in",
            "opted-in",
            "opt in",
            "opt-in",
            "accept marketing",
            "accepts marketing",
            "accept promotions",
            "suscrit",
            "reciben promo",
            "quieren promo",
            "consentimiento",
        ]
        .iter()
        .any(|p| has_prefix(t, p));
    if opted {
        filters.insert("opted_in_only".into(), json!(true));
    }
    if !slash {
        if let Some(brand) = brand(&w, &used) {
            filters.insert("bought_brand".into(), json!(brand));
        }
    }
    if slash {
        for (k, word) in w.iter().enumerate() {
            if !used[k] && !FILLER.contains(word) {
                tags.push((*word).to_owned());
            }
        }
    }
    let mut unique: Vec<String> = vec![];
    for tag in tags {
        if !unique.contains(&tag) {
            unique.push(tag);
        }
    }
    if !unique.is_empty() {
        filters.insert("tags".into(), json!(unique));
    }
    Read {
        filters,
        species_plural,
    }
}

fn tool(filters: Map<String, Value>) -> Intent {
    Intent::Tool {
        name: "get_segment",
        args: json!({"filters": filters}),
    }
}

/// "/segmento vip gatos 90 dias $5,000 comida": words that are no filter are tags.
pub(super) fn segment(t: &str) -> Intent {
    tool(read(&numbers::tolerant(t), true).filters)
}

/// A group of clients described by what the segment tool filters on.
pub(super) fn phrase(f: &Folded) -> Option<Intent> {
    let t = numbers::tolerant(&f.text);
    let t = t.as_str();
    if has_prefix(t, "report") || has_prefix(t, "informe") {
        return None;
    }
    let read = read(t, false);
    let group = read.species_plural
        || read.filters.contains_key("tags")
        || [
            "clientes",
            "clientas",
            "duenos",
            "duenas",
            "customers",
            "clients",
            "owners",
            "people",
            "gente",
            "personas",
            "quienes",
            "segment",
            "lista",
            "los que",
            "las que",
        ]
        .iter()
        .any(|g| has_prefix(t, g));
    // "el dueño del perro Max", "the owner of the cat Luna": one pet, a look-up.
    let w = words(t);
    let one_pet = w.windows(2).any(|p| {
        matches!(
            p[0],
            "del" | "el" | "la" | "al" | "the" | "su" | "mi" | "my" | "his" | "her"
        ) && species(p[1]).is_some_and(|_| !p[1].ends_with('s'))
    });
    if !group || one_pet {
        return None;
    }
    if UNSUPPORTED.iter().any(|u| has_prefix(t, u)) {
        return Some(Intent::Unknown);
    }
    (!read.filters.is_empty()).then(|| tool(read.filters))
}
