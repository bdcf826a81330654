use std::collections::HashMap;

use super::*;

fn from(pairs: &[(&str, &str)]) -> Result<ChannelSettings, SettingsError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ChannelSettings::from_lookup(|k| map.get(k).cloned())
}

const TG: [(&str, &str); 2] = [
    ("TELEGRAM_BOT_TOKEN", "123:ABC"),
    ("TELEGRAM_WEBHOOK_SECRET", "s3cr3t_-x"),
];
const WA: [(&str, &str); 4] = [
    ("WHATSAPP_TOKEN", "EAAG-token"),
    ("WHATSAPP_APP_SECRET", "app-secret"),
    ("WHATSAPP_VERIFY_TOKEN", "verify-me"),
    ("WHATSAPP_PHONE_NUMBER_ID", "1234567890"),
];

#[test]
fn nothing_set_means_both_channels_off() {
    let s = from(&[]).unwrap();
    assert!(s.telegram.is_none() && s.whatsapp.is_none());
    let s = from(&[
        ("TELEGRAM_BOT_TOKEN", "  "),
        ("TELEGRAM_API_URL", "http://x"),
    ])
    .unwrap();
    assert!(s.telegram.is_none());
}

#[test]
fn full_settings_turn_channels_on_with_default_urls() {
    let s = from(&[TG[0], TG[1], WA[0], WA[1], WA[2], WA[3]]).unwrap();
    let tg = s.telegram.unwrap();
    assert_eq!(expose(&tg.bot_token), "123:ABC");
    assert_eq!(tg.api_url.as_str(), "https://api.telegram.org/");
    let wa = s.whatsapp.unwrap();
    assert_eq!(wa.phone_number_id, "1234567890");
    assert_eq!(wa.api_url.as_str(), "https://graph.facebook.com/v23.0");
}

#[test]
fn api_urls_are_overridable_and_trailing_slashes_dropped() {
    let s = from(&[TG[0], TG[1], ("TELEGRAM_API_URL", "http://127.0.0.1:9/tg/")]).unwrap();
    assert_eq!(
        s.telegram.unwrap().api_url.as_str(),
        "http://127.0.0.1:9/tg"
    );
    let bad = from(&[TG[0], TG[1], ("TELEGRAM_API_URL", "not a url")]);
    assert!(matches!(
        bad,
        Err(SettingsError::Invalid {
            var: "TELEGRAM_API_URL",
            ..
        })
    ));
    let ftp = from(&[
        WA[0],
        WA[1],
        WA[2],
        WA[3],
        ("WHATSAPP_API_URL", "ftp://x/v1"),
    ]);
    assert!(matches!(
        ftp,
        Err(SettingsError::Invalid {
            var: "WHATSAPP_API_URL",
            ..
        })
    ));
}

#[test]
fn half_configured_channel_is_an_error_naming_what_is_missing() {
    let err = from(&[WA[0], WA[3]]).unwrap_err();
    let expected = vec!["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"];
    assert_eq!(
        err,
        SettingsError::Incomplete {
            channel: "whatsapp",
            missing: expected
        }
    );
    assert!(from(&[TG[0]]).is_err());
}

#[test]
fn webhook_secret_must_use_telegram_charset() {
    let err = from(&[TG[0], ("TELEGRAM_WEBHOOK_SECRET", "has space")]).unwrap_err();
    assert!(matches!(
        err,
        SettingsError::Invalid {
            var: "TELEGRAM_WEBHOOK_SECRET",
            ..
        }
    ));
    assert!(!err.to_string().contains("has space"));
}

#[test]
fn debug_output_never_shows_secrets() {
    let s = from(&[TG[0], TG[1], WA[0], WA[1], WA[2], WA[3]]).unwrap();
    let dbg = format!("{s:?}");
    for secret in [
        "123:ABC",
        "s3cr3t_-x",
        "EAAG-token",
        "app-secret",
        "verify-me",
    ] {
        assert!(!dbg.contains(secret), "{secret} leaked in {dbg}");
    }
}
