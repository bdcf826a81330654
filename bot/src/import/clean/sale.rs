//! A sale's status and quantity as stored.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::domain::fold;

/// A sale's status as stored (`completed`, `cancelled`, `refunded`); `None` when it names
/// none. Refunds first: "cancelada y devuelta" gave the money back.
pub fn sale_status(text: &str) -> Option<&'static str> {
    let folded = fold(text.trim()).replace(['-', '_'], " ");
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    Some(
        if has(&["devuel", "devoluc", "reembols", "refund", "return"]) {
            "refunded"
        } else if has(&["cancel", "anulad"]) {
            "cancelled"
        } else if has(&[
            "pagad", "complet", "cobrad", "vendid", "facturad", "cerrad", "liquidad", "paid",
            "closed",
        ]) {
            "completed"
        } else {
            return None;
        },
    )
}

/// A line's quantity: a whole number of units greater than zero ("2", "2.0", "3,0").
pub fn quantity(text: &str) -> Result<i32, String> {
    let text = text.trim();
    let plain = text.replace(',', ".");
    let q = Decimal::from_str(&plain).map_err(|_| format!("cantidad ilegible «{text}»"))?;
    if q <= Decimal::ZERO {
        return Err(format!("cantidad {text} no es mayor que cero"));
    }
    if !q.fract().is_zero() {
        return Err(format!("cantidad {text} no es un número entero de piezas"));
    }
    q.to_i32()
        .ok_or_else(|| format!("cantidad {text} fuera de rango"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_spanish_and_english_map_to_the_schemas() {
        for (text, status) in [
            ("Pagado", Some("completed")),
            ("PAGADA", Some("completed")),
            ("completed", Some("completed")),
            ("Cancelado", Some("cancelled")),
            ("cancelled", Some("cancelled")),
            ("Devuelto", Some("refunded")),
            ("refunded", Some("refunded")),
            ("Quién sabe", None),
        ] {
            assert_eq!(sale_status(text), status, "{text}");
        }
    }

    #[test]
    fn quantities_are_whole_and_positive() {
        assert_eq!(quantity("2"), Ok(2));
        assert_eq!(quantity("3,0"), Ok(3));
        assert_eq!(quantity("12.00"), Ok(12));
        assert!(quantity("0").unwrap_err().contains("mayor que cero"));
        assert!(quantity("-1").unwrap_err().contains("mayor que cero"));
        assert!(quantity("1.5").unwrap_err().contains("entero"));
        assert!(quantity("dos").unwrap_err().contains("ilegible"));
    }
}
