//! What `redeem_points` and `adjust_points` share: their arguments and the ledger entry they
//! write. The points' range and the reason are checked once, by the ledger.

use serde::Deserialize;
use serde_json::{json, Value};

use super::ToolContext;
use crate::loyalty::ledger::{Entry, MAX_POINTS, REASON_MAX_CHARS};

/// A client, a number of points and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsArgs {
    pub user_id: i64,
    pub points: i32,
    pub reason: String,
}

/// The JSON schema of [`PointsArgs`], points from `minimum` to [`MAX_POINTS`].
pub(super) fn parameters(minimum: i32) -> Value {
    json!({
        "type": "object",
        "properties": {
            "user_id": {"type": "integer"},
            "points": {"type": "integer", "minimum": minimum, "maximum": MAX_POINTS},
            "reason": {"type": "string", "maxLength": REASON_MAX_CHARS}
        },
        "required": ["user_id", "points", "reason"]
    })
}

impl PointsArgs {
    /// The ledger entry, written by the member in `ctx` from the message in `ctx` (the same
    /// message writes once).
    pub(super) fn entry<'a>(&'a self, ctx: &'a ToolContext) -> Entry<'a> {
        Entry {
            owner_id: self.user_id,
            points: self.points,
            reason: &self.reason,
            staff_id: ctx.staff_id,
            source: ctx.source.as_deref(),
        }
    }
}
