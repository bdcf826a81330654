//! Marketing: who may be written to (consent per channel and purpose), the Telegram chats
//! clients link themselves, and campaigns.

pub mod consent;
pub mod links;
