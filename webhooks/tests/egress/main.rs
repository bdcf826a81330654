//! The Telegram and WhatsApp clients against fake servers on loopback.

use std::time::Duration;

use fakes::payloads as p;
use fakes::telegram::FakeTelegram;
use fakes::whatsapp::FakeWhatsApp;
use serde_json::{json, Value};
use webhooks::{Button, ChannelSettings, TelegramClient, WhatsAppClient};

const TOKEN: &str = "123456:ABC-secret-token";
const WA_TOKEN: &str = "EAAG-wa-secret-token";
const PHONE_ID: &str = "106540352242922";

fn settings(telegram_url: Option<&str>, whatsapp_url: Option<&str>) -> ChannelSettings {
    let tg = telegram_url.map(|u| u.to_string());
    let wa = whatsapp_url.map(|u| u.to_string());
    ChannelSettings::from_lookup(|k| match k {
        "TELEGRAM_BOT_TOKEN" => tg.as_ref().map(|_| TOKEN.to_string()),
        "TELEGRAM_WEBHOOK_SECRET" => tg.as_ref().map(|_| "secret_1-0123456789".to_string()),
        "TELEGRAM_API_URL" => tg.clone(),
        "WHATSAPP_TOKEN" => wa.as_ref().map(|_| WA_TOKEN.to_string()),
        "WHATSAPP_APP_SECRET" | "WHATSAPP_VERIFY_TOKEN" => wa.as_ref().map(|_| "x".to_string()),
        "WHATSAPP_PHONE_NUMBER_ID" => wa.as_ref().map(|_| PHONE_ID.to_string()),
        "WHATSAPP_API_URL" => wa.clone(),
        _ => None,
    })
    .unwrap()
}

async fn telegram() -> (FakeTelegram, TelegramClient) {
    let fake = FakeTelegram::start().await;
    let client = TelegramClient::new(settings(Some(&fake.uri()), None).telegram.as_ref().unwrap());
    (fake, client)
}

async fn whatsapp() -> (FakeWhatsApp, WhatsAppClient) {
    let fake = FakeWhatsApp::start().await;
    let client = WhatsAppClient::new(
        settings(None, Some(&fake.api_url()))
            .whatsapp
            .as_ref()
            .unwrap(),
    )
    .unwrap();
    (fake, client)
}

/// 100 lines of 99 characters plus newline: 10,000 characters.
fn ten_thousand_chars() -> String {
    (0..100)
        .map(|i| format!("{i:02} {}\n", "x".repeat(96)))
        .collect()
}

mod channel;
mod telegram;
mod telegram_admin;
mod whatsapp;
