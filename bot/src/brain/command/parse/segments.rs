//! Segments: "/segmento vip gatos 90 dias $5,000 comida".

use serde_json::json;

use super::Intent;
use crate::domain::{ProductCategory, Species};

pub(super) fn segment(t: &str) -> Intent {
    let mut filters = serde_json::Map::new();
    let words: Vec<&str> = t.split_whitespace().collect();
    let mut tags = vec![];
    for (i, w) in words.iter().enumerate() {
        let next_is_days = words
            .get(i + 1)
            .is_some_and(|n| n.starts_with("dia") || n.starts_with("day"));
        match *w {
            "perro" | "perros" | "dog" | "dogs" => {
                filters.insert("pet_species".into(), json!(Species::Dog.as_db_str()));
            }
            "gato" | "gatos" | "cat" | "cats" => {
                filters.insert("pet_species".into(), json!(Species::Cat.as_db_str()));
            }
            "alimento" | "comida" | "food" => {
                filters.insert(
                    "bought_category".into(),
                    json!(ProductCategory::Food.as_db_str()),
                );
            }
            w if w
                .trim_start_matches('$')
                .replace(',', "")
                .parse::<u64>()
                .is_ok() =>
            {
                let n: u64 = w
                    .trim_start_matches('$')
                    .replace(',', "")
                    .parse()
                    .unwrap_or(0);
                if next_is_days {
                    filters.insert("days_since_visit".into(), json!(n));
                } else {
                    filters.insert("min_spent".into(), json!(n));
                }
            }
            "dias" | "days" | "dia" | "day" | "de" | "con" | "y" | "and" | "mas" | "+" => {}
            tag => tags.push(tag.to_owned()),
        }
    }
    if !tags.is_empty() {
        filters.insert("tags".into(), json!(tags));
    }
    Intent::Tool {
        name: "get_segment",
        args: json!({"filters": filters}),
    }
}
