//! A product's price and category as exports write them: `$1,234.50`, `1.234,50`, `89,90`,
//! `$ 350 MXN`; "Alimento", "Antiparasitario", "Accesorios"...

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::domain::fold;

/// Reads an amount of money (never negative); the error is the reason, for the report.
pub fn money(text: &str) -> Result<Decimal, String> {
    let unreadable = || format!("importe ilegible «{}»", text.trim());
    let cleaned: String = fold(text)
        .replace("mxn", "")
        .replace("mn", "")
        .chars()
        .filter(|c| !matches!(c, '$' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.starts_with('-') || cleaned.starts_with('(') {
        return Err(format!("importe negativo «{}»", text.trim()));
    }
    let (commas, dots) = (cleaned.matches(',').count(), cleaned.matches('.').count());
    let decimal_comma = match (cleaned.rfind(','), cleaned.rfind('.')) {
        // Both: the last one is the decimal separator.
        (Some(c), Some(d)) => c > d,
        // Commas alone: "1,234" and "1,234,567" group thousands; "89,90" is a decimal comma.
        (Some(c), None) => commas == 1 && cleaned.len() - c - 1 != 3,
        _ => false,
    };
    let plain = if decimal_comma {
        cleaned.replace('.', "").replace(',', ".")
    } else if dots > 1 {
        // "1.234.567": dots grouping thousands.
        cleaned.replace('.', "")
    } else {
        cleaned.replace(',', "")
    };
    if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(unreadable());
    }
    let amount = Decimal::from_str(&plain).map_err(|_| unreadable())?;
    Ok(amount.round_dp(2))
}

/// A product category as stored (`products.category`), from the export's category or
/// family in any usual wording; `None` when it names none.
pub fn category(text: &str) -> Option<&'static str> {
    let folded = fold(text.trim());
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    Some(
        if has(&[
            "aliment", "comida", "croquet", "lata", "food", "snack", "premio",
        ]) {
            "food"
        } else if has(&["suplement", "vitamin", "supplement", "nutraceut"]) {
            "supplement"
        } else if has(&[
            "medic",
            "farmac",
            "antiparasit",
            "desparasit",
            "antibiot",
            "vacun",
            "pipeta",
            "medicine",
            "pharma",
            "drug",
        ]) {
            "medicine"
        } else if has(&[
            "higien", "shampoo", "champu", "arena", "limpieza", "hygiene", "grooming",
        ]) {
            "hygiene"
        } else if has(&["juguet", "toy"]) {
            "toy"
        } else if has(&[
            "accesor",
            "collar",
            "correa",
            "cama",
            "plato",
            "transportad",
            "accessor",
        ]) {
            "accessory"
        } else {
            return None;
        },
    )
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn amounts_with_signs_thousands_and_decimal_commas() {
        for (text, want) in [
            ("$1,234.50", dec!(1234.50)),
            ("1.234,50", dec!(1234.50)),
            ("89,90", dec!(89.90)),
            ("$ 350", dec!(350)),
            ("350 MXN", dec!(350)),
            ("1,234", dec!(1234)),
            ("1.234.567", dec!(1234567)),
            ("12.5", dec!(12.5)),
            ("0", dec!(0)),
        ] {
            assert_eq!(money(text), Ok(want), "{text}");
        }
        for bad in ["-20", "gratis", "$", "1,2,3.4.5"] {
            assert!(money(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn categories_in_the_usual_wordings() {
        assert_eq!(category("Alimento seco"), Some("food"));
        assert_eq!(category("ANTIPARASITARIOS"), Some("medicine"));
        assert_eq!(category("Accesorios"), Some("accessory"));
        assert_eq!(category("Higiene"), Some("hygiene"));
        assert_eq!(category("Juguetes"), Some("toy"));
        assert_eq!(category("Vitaminas"), Some("supplement"));
        assert_eq!(category("Misceláneo"), None);
    }
}
