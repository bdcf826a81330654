//! What `POST /webhooks/whatsapp` turns Meta envelopes into.

use super::*;

const FROM: &str = "5219981234567";

fn kinds(events: &[Event]) -> Vec<InboundKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Inbound(m) => Some(m.kind.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn batch_of_two_messages_and_a_status_is_stored_in_one_call() {
    let app = spawn().await;
    let value = p::whatsapp_value(
        vec![
            p::whatsapp_contact(FROM, "Ana"),
            p::whatsapp_contact("5215550001111", "Luis"),
        ],
        vec![
            p::whatsapp_text_message("wamid.1", FROM, "BAJA"),
            p::whatsapp_button_reply_message("wamid.2", "5215550001111", "approve:17", "Enviar"),
        ],
        vec![],
    );
    let mut envelope = p::whatsapp_envelope(value);
    let status = p::whatsapp_status("wamid.OUT1", FROM, "delivered");
    let second_entry = p::whatsapp_status_update(status)["entry"][0].clone();
    envelope["entry"].as_array_mut().unwrap().push(second_entry);
    assert_eq!(app.post_signed(&envelope).await, 200);
    let events = app.events();
    assert_eq!(*app.sink.calls.lock().unwrap(), 1);
    assert_eq!(
        kinds(&events),
        vec![
            InboundKind::Text {
                text: "BAJA".into(),
                edited: false
            },
            InboundKind::Button {
                data: "approve:17".into(),
                callback_id: None,
                keyboard_message_id: None
            },
        ]
    );
    let Event::Status(s) = &events[2] else {
        panic!("{events:?}")
    };
    assert_eq!(
        (s.message_id.as_str(), s.status, s.recipient.as_str()),
        ("wamid.OUT1", DeliveryState::Delivered, FROM)
    );
    assert_eq!((s.timestamp, s.error_code), (p::DATE + 5, None));
    let Event::Inbound(luis) = &events[1] else {
        panic!()
    };
    assert_eq!(luis.sender.display_name, "Luis");
}

#[tokio::test]
async fn failed_status_carries_the_first_error_code_and_title() {
    let app = spawn().await;
    let status = p::whatsapp_failed_status("wamid.OUT2", FROM, 131047, "Re-engagement message");
    app.post_signed(&p::whatsapp_status_update(status)).await;
    let Event::Status(s) = &app.events()[0] else {
        panic!()
    };
    assert_eq!(s.status, DeliveryState::Failed);
    assert_eq!(s.error_code, Some(131047));
    assert_eq!(s.error_title.as_deref(), Some("Re-engagement message"));
}

#[tokio::test]
async fn other_message_types_are_unsupported_and_odd_items_are_skipped() {
    let app = spawn().await;
    let msg = |id: &str, kind: &str, extra: Value| {
        let mut m = json!({"from": FROM, "id": id, "timestamp": "1700000000", "type": kind});
        m[kind] = extra;
        m
    };
    let messages = vec![
        msg(
            "wamid.i",
            "image",
            json!({"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "abc"}),
        ),
        msg(
            "wamid.v",
            "audio",
            json!({"id": "2", "mime_type": "audio/ogg; codecs=opus", "voice": true}),
        ),
        msg(
            "wamid.a",
            "audio",
            json!({"id": "3", "mime_type": "audio/mpeg"}),
        ),
        msg(
            "wamid.r",
            "reaction",
            json!({"message_id": "wamid.X", "emoji": "👍"}),
        ),
        msg(
            "wamid.l",
            "interactive",
            json!({"type": "list_reply", "list_reply": {"id": "row-2", "title": "Martes"}}),
        ),
        msg(
            "wamid.n",
            "interactive",
            json!({"type": "nfm_reply", "nfm_reply": {}}),
        ),
        msg(
            "wamid.t",
            "button",
            json!({"payload": "STOP", "text": "Dejar de recibir"}),
        ),
        json!({"from": FROM, "type": "text", "text": {"body": "no id"}}),
    ];
    let statuses = vec![
        json!({"id": "wamid.s", "status": "deleted", "timestamp": "1", "recipient_id": FROM}),
        json!({"id": "wamid.s", "status": "read", "timestamp": 1700000009, "recipient_id": FROM}),
        json!({"id": "wamid.s", "status": "sent", "recipient_id": FROM}),
        json!({"status": "read"}),
    ];
    let envelope = p::whatsapp_envelope(p::whatsapp_value(vec![], messages, statuses));
    assert_eq!(app.post_signed(&envelope).await, 200);
    let events = app.events();
    let unsupported = |w: &str| InboundKind::Unsupported { what: w.into() };
    assert_eq!(
        kinds(&events),
        vec![
            unsupported("image"),
            unsupported("voice"),
            unsupported("audio"),
            unsupported("reaction"),
            InboundKind::Button {
                data: "row-2".into(),
                callback_id: None,
                keyboard_message_id: None
            },
            unsupported("interactive"),
            InboundKind::Button {
                data: "STOP".into(),
                callback_id: None,
                keyboard_message_id: None
            },
        ]
    );
    let Event::Inbound(m) = &events[0] else {
        panic!()
    };
    assert_eq!(
        m.sender.display_name, FROM,
        "no contacts entry: the number stands in for the name"
    );
    let timestamps: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Status(s) => Some(s.timestamp),
            _ => None,
        })
        .collect();
    assert_eq!(timestamps, vec![1700000009, 0]);
}

#[tokio::test]
async fn non_message_fields_and_unreadable_changes_are_acknowledged_without_storing() {
    let app = spawn().await;
    let envelope = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
        {"field": "messages", "value": {"messages": "not a list"}},
    ]}, {"id": "2"}]});
    assert_eq!(app.post_signed(&envelope).await, 200);
    assert_eq!(app.post_signed(&json!({"object": "page"})).await, 200);
    assert_eq!(*app.sink.calls.lock().unwrap(), 0);
}

#[tokio::test]
async fn a_user_preferences_stop_and_resume_become_marketing_preferences() {
    let app = spawn().await;
    let stop = p::whatsapp_user_preferences(FROM, "Ana", "stop", p::DATE);
    assert_eq!(app.post_signed(&stop).await, 200);
    let resume = p::whatsapp_user_preferences(FROM, "Ana", "resume", p::DATE + 60);
    assert_eq!(app.post_signed(&resume).await, 200);
    // Another category or value is not a marketing preference.
    let mut other = p::whatsapp_user_preferences(FROM, "Ana", "stop", p::DATE);
    other["entry"][0]["changes"][0]["value"]["user_preferences"][0]["category"] = "calls".into();
    assert_eq!(app.post_signed(&other).await, 200);
    let events = app.events();
    let preferences: Vec<&MarketingPreference> = events
        .iter()
        .filter_map(|e| match e {
            Event::Preference(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        (
            preferences[0].user.as_str(),
            preferences[0].resumed,
            preferences[0].timestamp
        ),
        (FROM, false, p::DATE)
    );
    assert_eq!(
        preferences[0].detail,
        "User requested to stop marketing messages"
    );
    assert!(preferences[1].resumed);
    assert_eq!(preferences[0].channel, Channel::WhatsApp);
    assert_ne!(events[0].dedup_key(), events[1].dedup_key());
}

#[tokio::test]
async fn template_status_updates_become_template_events_with_the_entry_time() {
    let app = spawn().await;
    // As Meta's reference shows them: a pause (with other_info), a rejection, an approval
    // with a hyphenated locale, and a quality-score change under the same field (no event).
    let paused = p::whatsapp_template_status("reactivacion_v1", "es_MX", "PAUSED", p::DATE);
    assert_eq!(app.post_signed(&paused).await, 200);
    let rejected = p::whatsapp_template_status("promo_v2", "es_MX", "REJECTED", p::DATE + 1);
    assert_eq!(app.post_signed(&rejected).await, 200);
    let approved = p::whatsapp_template_status("reactivacion_v1", "es-MX", "APPROVED", p::DATE + 2);
    assert_eq!(app.post_signed(&approved).await, 200);
    let mut quality = p::whatsapp_template_status("reactivacion_v1", "es_MX", "APPROVED", p::DATE);
    let value = &mut quality["entry"][0]["changes"][0]["value"];
    value.as_object_mut().unwrap().remove("event");
    value["new_quality_score"] = "RED".into();
    assert_eq!(app.post_signed(&quality).await, 200);
    let events = app.events();
    let templates: Vec<&TemplateStatus> = events
        .iter()
        .filter_map(|e| match e {
            Event::TemplateStatus(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 3, "{events:?}");
    let seen: Vec<(&str, &str, &str, Option<&str>, i64)> = templates
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.language.as_str(),
                t.event.as_str(),
                t.reason.as_deref(),
                t.timestamp,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "reactivacion_v1",
                "es_MX",
                "PAUSED",
                Some("FIRST_PAUSE"),
                p::DATE
            ),
            (
                "promo_v2",
                "es_MX",
                "REJECTED",
                Some("INVALID_FORMAT"),
                p::DATE + 1
            ),
            (
                "reactivacion_v1",
                "es-MX",
                "APPROVED",
                Some("NONE"),
                p::DATE + 2
            ),
        ]
    );
    assert_eq!(
        templates[0].template_id.as_deref(),
        Some("1689556908129832")
    );
    assert_eq!(templates[0].channel, Channel::WhatsApp);
    assert_ne!(events[0].dedup_key(), events[2].dedup_key());
}
