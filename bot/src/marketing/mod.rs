//! Marketing: a campaign is drafted from a list the chat just saw (or a segment), shown as a
//! preview, edited in the chat, approved by an owner, and sent once to each client who may
//! receive it. Who may receive it is the client's consent per channel and purpose
//! (`consent`), and on Telegram only clients who linked their own chat (`links`).
//!
//! The conversation (`converse`) runs before the brains, like held writes: approving and
//! sending are never something the model can do. The model may draft and edit through the
//! campaign tools (`crate::tools::draft_campaign`, `edit_campaign`, `list_campaigns`).
//!
//! Once approved, `send` sends it (inside `vetbot serve`), once per client, within the
//! settings of `settings` (templates, quiet hours, limits); `results` measures it against
//! the holdout.

pub mod approve;
pub mod audience;
pub mod birthdays;
pub mod campaign;
pub mod consent;
pub mod converse;
pub mod digest;
pub mod draft;
pub mod follow_up;
pub mod links;
pub mod lists;
pub mod policy;
pub mod preview;
pub mod results;
pub mod said;
pub mod send;
pub mod settings;
pub mod when;

pub use campaign::{Campaign, CampaignKind};
pub use policy::Policy;
pub use settings::MarketingSettings;
