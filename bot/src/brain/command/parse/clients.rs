//! A new client typed in the chat: «nuevo cliente Juan Pérez 998 765 4321, perro Rocky
//! labrador de 3 años», "new client John Smith 998 123 4567, cat Luna". The name comes
//! before the phone; after it, the pets, one per comma or «y»/"and": a species word, the
//! name, then the breed and an age in years, each optional.

use serde_json::{json, Value};

use super::super::folded::Folded;
use super::Intent;
use crate::domain::{PhoneNumber, Species};
use crate::tools::create_client;

/// How a new client is announced (folded).
const LEADS: &[&str] = &[
    "nuevo cliente",
    "nueva cliente",
    "cliente nuevo",
    "cliente nueva",
    "alta de cliente",
    "da de alta al cliente",
    "da de alta a la cliente",
    "da de alta a",
    "registra al cliente",
    "registra a la cliente",
    "registra cliente",
    "agrega cliente",
    "agrega al cliente",
    "new client",
    "add client",
    "add a new client",
    "add new client",
    "create client",
];

pub(super) fn new_client(f: &Folded) -> Option<Intent> {
    if f.raw().contains(['?', '¿']) {
        return None;
    }
    let t = f.text.as_str();
    let lead = LEADS
        .iter()
        .filter(|l| t.starts_with(*l) && t[l.len()..].starts_with([' ', ':', ',']))
        .max_by_key(|l| l.len())?;
    let rest = f.original(lead.len()..t.len());
    let rest = rest.trim_start_matches([':', ',', ' ']);
    // The phone: the first run of digits and separators that parses as one.
    let start = rest.find(|c: char| c.is_ascii_digit() || c == '+')?;
    let len = rest[start..]
        .find(|c: char| !(c.is_ascii_digit() || " +-().".contains(c)))
        .unwrap_or(rest.len() - start);
    let phone = rest[start..start + len]
        .trim()
        .trim_end_matches(['(', '-', '.'])
        .trim();
    PhoneNumber::parse(phone).ok()?;
    let name = super::clean(rest[..start].trim().trim_end_matches([',', '-', ':']));
    let mut names = name.split_whitespace();
    let first = names.next()?.to_owned();
    let last = names.collect::<Vec<_>>().join(" ");
    let pets: Vec<Value> = rest[start + len..]
        .split([',', ';'])
        .flat_map(|c| c.split(" y ").flat_map(|c| c.split(" and ")))
        .filter_map(pet)
        .collect();
    let mut args = json!({"first_name": first, "last_name": last, "phone": phone});
    if !pets.is_empty() {
        args["pets"] = Value::Array(pets);
    }
    Some(Intent::Tool {
        name: create_client::NAME,
        args,
    })
}

/// «perro Rocky labrador de 3 años», "cat Luna", "dog Max, 2 years old".
fn pet(clause: &str) -> Option<Value> {
    let words: Vec<&str> = clause
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while words.get(i).is_some_and(|w| {
        matches!(
            crate::domain::fold(w).as_str(),
            "con" | "su" | "sus" | "mascota" | "with" | "a" | "an" | "her" | "his" | "un" | "una"
        )
    }) {
        i += 1;
    }
    let species = Species::parse(words.get(i)?).or_else(|| {
        // «perrita», «gatito».
        let w = crate::domain::fold(words.get(i)?);
        if w.starts_with("perr") {
            Some(Species::Dog)
        } else if w.starts_with("gat") {
            Some(Species::Cat)
        } else {
            None
        }
    })?;
    let name = (*words.get(i + 1)?).to_owned();
    let mut breed = Vec::new();
    let mut age = None;
    let mut k = i + 2;
    while k < words.len() {
        let w = crate::domain::fold(words[k]);
        if let Ok(n) = w.parse::<u32>() {
            age = Some(n);
            break;
        }
        if !matches!(w.as_str(), "de" | "of" | "raza" | "breed" | "a" | "an") {
            breed.push(words[k]);
        }
        k += 1;
    }
    let mut pet = json!({"name": name, "species": species.as_db_str()});
    if !breed.is_empty() {
        pet["breed"] = json!(breed.join(" "));
    }
    if let Some(age) = age {
        pet["age_years"] = json!(age);
    }
    Some(pet)
}
