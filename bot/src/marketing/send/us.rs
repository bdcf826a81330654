//! US numbers: WhatsApp delivers no marketing template to a +1 number with a US area code
//! (Canadian and Caribbean +1 numbers are not blocked).

/// Area codes of the +1 plan that are not in the United States: Canada, then the Caribbean
/// countries of the North American Numbering Plan (US territories such as Puerto Rico are
/// US numbers for WhatsApp's rule, so they are not listed).
const NOT_US: [&str; 78] = [
    // Canada
    "204", "226", "236", "249", "250", "257", "263", "289", "306", "343", "354", "365", "367",
    "368", "382", "403", "416", "418", "428", "431", "437", "438", "450", "460", "468", "474",
    "506", "514", "519", "548", "579", "581", "584", "587", "600", "604", "613", "639", "647",
    "672", "683", "705", "709", "742", "753", "778", "780", "782", "807", "819", "825", "867",
    "873", "879", "902", "905", "942", // Caribbean countries
    "242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721", "758",
    "767", "784", "809", "829", "849", "868", "869", "876",
];

/// Whether `number` (a wa_id's digits, or `+1…`) is a US number.
pub fn is_us_number(number: &str) -> bool {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(national) if national.len() == 10 => !NOT_US.contains(&&national[..3]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_numbers_are_told_from_canadian_caribbean_and_mexican_ones() {
        assert!(is_us_number("12125550123"));
        assert!(is_us_number("+1 (305) 555-0100"));
        assert!(is_us_number("17875550100"), "Puerto Rico");
        assert!(!is_us_number("14165550123"), "Toronto");
        assert!(!is_us_number("18095550123"), "Dominican Republic");
        assert!(!is_us_number("5219981234567"));
        assert!(!is_us_number("529981234567"));
        assert!(!is_us_number("1212555012"), "too short");
    }
}
