//! Phone numbers, stored normalised to E.164 (`+529981234567`).

use std::fmt;

/// A phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("«{0}» no es un teléfono válido")]
    Invalid(String),
}

impl PhoneNumber {
    /// Parses the usual Mexican ways of writing a phone (`998-123-4567`, `(998) 123 4567`,
    /// `+52 998 123 4567`, `+52 1 998 123 4567`, `0052…`) and any `+<country>` number.
    /// Ten national digits are taken as Mexican (+52).
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let invalid = || PhoneError::Invalid(text.to_owned());
        let trimmed = text.trim();
        if trimmed.is_empty()
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(invalid());
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let international = trimmed.starts_with('+') || digits.starts_with("00");
        let digits = if trimmed.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else {
            digits
        };
        let e164 = match (international, digits.len()) {
            (false, 10) => format!("52{digits}"),
            (false, 12) if digits.starts_with("52") => digits,
            (false, 13) if digits.starts_with("521") => format!("52{}", &digits[3..]),
            (true, _) if digits.starts_with("521") && digits.len() == 13 => {
                format!("52{}", &digits[3..])
            }
            (true, 8..=15) if !digits.starts_with('0') => digits,
            _ => return Err(invalid()),
        };
        Ok(Self(format!("+{e164}")))
    }

    /// Parses a phone as practice systems and spreadsheets export it: anything
    /// [`PhoneNumber::parse`] takes, plus the pre-2019 Mexican dialling prefixes (`044` and
    /// `045` before a mobile's ten digits, `01` before a long-distance number), an extension
    /// after the number (`ext. 12`, `ext 12`, `x12`, `extensión 12`), which is returned
    /// apart, and a number written as an Excel number (`9981234567.0`).
    pub fn parse_export(text: &str) -> Result<(Self, Option<String>), PhoneError> {
        let invalid = || PhoneError::Invalid(text.to_owned());
        let (number, extension) = split_extension(text);
        let number = number.trim();
        let number = number.strip_suffix(".0").unwrap_or(number);
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let national = ["044", "045", "01"]
            .iter()
            .find_map(|prefix| {
                let rest = digits.strip_prefix(prefix)?;
                (!number.trim_start().starts_with('+') && rest.len() == 10).then_some(rest)
            })
            .map(str::to_owned);
        let phone = match national {
            Some(ten) => Self::parse(&ten),
            None => Self::parse(number),
        }
        .map_err(|_| invalid())?;
        Ok((phone, extension))
    }

    /// Accepts a value already stored in E.164 form (e.g. read from the database).
    pub fn from_e164(value: String) -> Self {
        Self(value)
    }

    /// Every stored form of this number: itself and, for a Mexican mobile, the other of
    /// `+52…` and `+521…`. WhatsApp sends Mexican mobiles as `521…` (the mobile "1" dropped
    /// from dialling in 2019 but kept by the Cloud API), while data imported or typed by
    /// staff may keep either, so look-ups match both.
    pub fn forms(&self) -> Vec<String> {
        let digits = self.0.strip_prefix('+').unwrap_or(&self.0);
        let other = match (digits.len(), digits.strip_prefix("52")) {
            (12, Some(national)) => Some(format!("+521{national}")),
            (13, Some(national)) => national.strip_prefix('1').map(|n| format!("+52{n}")),
            _ => None,
        };
        std::iter::once(self.0.clone()).chain(other).collect()
    }
}

/// The number and its extension (digits only), if the text names one.
fn split_extension(text: &str) -> (&str, Option<String>) {
    let lower = text.to_lowercase();
    for marker in ["extensión", "extension", "ext.", "ext", "x"] {
        // Markers are ASCII except «extensión», whose byte offsets match in lower case.
        if let Some(at) = lower.find(marker) {
            let rest = &lower[at + marker.len()..];
            let ext: String = rest
                .trim_start_matches([' ', '.', ':', '#'])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let tail_is_extension = !ext.is_empty()
                && rest.trim_start_matches([' ', '.', ':', '#'])[ext.len()..]
                    .trim()
                    .is_empty();
            if tail_is_extension && text.is_char_boundary(at) {
                return (&text[..at], Some(ext));
            }
        }
    }
    (text, None)
}

/// The forms of a stored (E.164) phone, for look-ups: see [`PhoneNumber::forms`].
pub fn phone_forms(e164: &str) -> Vec<String> {
    PhoneNumber::from_e164(e164.to_owned()).forms()
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mexican_formats_normalise_to_one_e164() {
        for input in [
            "998-123-4567",
            "9981234567",
            "(998) 123 4567",
            "+52 998 123 4567",
            "+52 1 998 123 4567",
            "529981234567",
            "5219981234567",
            "0052 998 123 4567",
            " 998.123.4567 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).unwrap().as_ref(),
                "+529981234567",
                "{input}"
            );
        }
    }

    #[test]
    fn exported_mexican_forms_normalise_with_their_extension_apart() {
        for (input, ext) in [
            ("998 123 4567", None),
            ("(998) 123-45-67", None),
            ("+52 1 998 123 4567", None),
            ("044 998 123 4567", None),
            ("045 (998) 123-4567", None),
            ("01 998 123 4567", None),
            ("9981234567.0", None),
            ("998 123 4567 ext. 12", Some("12")),
            ("(998) 123-4567 EXT 305", Some("305")),
            ("998-123-4567 x7", Some("7")),
            ("998 123 4567 extensión 4", Some("4")),
        ] {
            let (phone, extension) = PhoneNumber::parse_export(input).unwrap();
            assert_eq!(phone.as_ref(), "+529981234567", "{input}");
            assert_eq!(extension.as_deref(), ext, "{input}");
        }
        assert_eq!(
            PhoneNumber::parse_export("+1 312 555 0199")
                .unwrap()
                .0
                .as_ref(),
            "+13125550199"
        );
        for bad in ["044 123", "sin teléfono", "0", "ext. 12"] {
            assert!(PhoneNumber::parse_export(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn foreign_numbers_keep_their_country_code() {
        let us = PhoneNumber::parse("+1 (312) 555-0199").unwrap();
        assert_eq!(us.to_string(), "+13125550199");
    }

    #[test]
    fn nonsense_is_refused_with_the_input_in_the_message() {
        for input in ["", "abc", "123", "+0 998 123", "998-123-45678-999", "maria"] {
            let err = PhoneNumber::parse(input).unwrap_err();
            assert_eq!(err, PhoneError::Invalid(input.to_owned()));
        }
        assert!(PhoneError::Invalid("x".into()).to_string().contains("«x»"));
    }

    #[test]
    fn mexican_numbers_have_both_forms_and_others_one() {
        assert_eq!(
            phone_forms("+529981234567"),
            ["+529981234567", "+5219981234567"]
        );
        assert_eq!(
            phone_forms("+5219981234567"),
            ["+5219981234567", "+529981234567"]
        );
        assert_eq!(phone_forms("+13125550199"), ["+13125550199"]);
        assert_eq!(phone_forms("+52998123456"), ["+52998123456"]);
    }

    #[test]
    fn stored_values_round_trip() {
        assert_eq!(
            PhoneNumber::from_e164("+529981234567".into()).as_ref(),
            "+529981234567"
        );
    }
}
