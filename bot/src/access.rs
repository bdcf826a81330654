//! What each role may do. An `owner` may do everything; a `staff` member may look clients
//! up and add notes and tags, plus whichever owner-only actions the clinic grants to staff
//! (table `staff_permissions`, empty by default).
//!
//! Enforced where tools run ([`crate::tools::call`]), so both brains and every channel are
//! covered whatever a prompt says; the LLM is also offered only what the member may use.

use serde_json::Value;
use sqlx::PgPool;

use crate::domain::Lang;
use crate::tools::{
    self, campaign_results, generate_report, ToolContext, ToolDefinition, ToolError,
};

/// An action only owners may take unless the clinic grants it to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Revenue, products, retention and loyalty reports.
    BusinessReports,
    /// Approving a campaign that messages clients.
    CampaignApproval,
    /// Adding or removing loyalty points by hand.
    LoyaltyAdjustments,
    /// Exporting or deleting the clinic's data: a client's export, erasure, the request log.
    DataExport,
    /// Setting one's own morning digest: owners only, never granted (the digest goes to
    /// owners), so not in [`Permission::ALL`].
    OwnDigest,
}

impl Permission {
    /// Every owner-only action.
    pub const ALL: [Permission; 4] = [
        Self::BusinessReports,
        Self::CampaignApproval,
        Self::LoyaltyAdjustments,
        Self::DataExport,
    ];

    /// The action's name in `staff_permissions.action`.
    pub fn code(self) -> &'static str {
        match self {
            Self::BusinessReports => "business_reports",
            Self::CampaignApproval => "campaign_approval",
            Self::LoyaltyAdjustments => "loyalty_adjustments",
            Self::DataExport => "data_export",
            Self::OwnDigest => "own_digest",
        }
    }

    /// The action named `code`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// What the action lets one do, after "permission to".
    fn describe(self, lang: Lang) -> &'static str {
        match self {
            Self::BusinessReports => lang.pick(
                "ver los reportes de ingresos, productos, retención y lealtad",
                "see the revenue, products, retention and loyalty reports",
            ),
            Self::CampaignApproval => lang.pick("aprobar campañas", "approve campaigns"),
            Self::LoyaltyAdjustments => {
                lang.pick("ajustar puntos de lealtad", "adjust loyalty points")
            }
            Self::DataExport => lang.pick(
                "exportar o borrar datos de la clínica",
                "export or delete the clinic's data",
            ),
            Self::OwnDigest => lang.pick(
                "configurar el resumen de la mañana (es para los dueños)",
                "set up the morning digest (it is for owners)",
            ),
        }
    }
}

/// The `generate_report` types that need [`Permission::BusinessReports`].
const BUSINESS_REPORTS: [&str; 4] = ["revenue", "products", "retention", "loyalty"];

/// The owner-only action a tool call needs, if any.
pub fn required(tool: &str, args: &Value) -> Option<Permission> {
    match tool {
        generate_report::NAME => args["report_type"]
            .as_str()
            .filter(|t| BUSINESS_REPORTS.contains(t))
            .map(|_| Permission::BusinessReports),
        campaign_results::NAME | tools::risk_reliability::NAME => Some(Permission::BusinessReports),
        tools::adjust_points::NAME => Some(Permission::LoyaltyAdjustments),
        tools::export_client_data::NAME => Some(Permission::DataExport),
        tools::erase_client::NAME | tools::data_requests::NAME => Some(Permission::DataExport),
        tools::digest_settings::NAME => Some(Permission::OwnDigest),
        _ => None,
    }
}

/// What one staff member may do.
#[derive(Debug, Clone, Default)]
pub struct Access {
    owner: bool,
    granted: Vec<Permission>,
}

impl Access {
    /// The access of active member `staff_id`; none beyond the basics if not found.
    pub async fn load(pool: &PgPool, staff_id: i64) -> sqlx::Result<Self> {
        let row = sqlx::query!(
            r#"select s.role = 'owner' as "owner!",
                      array(select action from staff_permissions order by action) as "granted!"
                 from staff s where s.id = $1 and s.active"#,
            staff_id
        )
        .fetch_optional(pool)
        .await?;
        Ok(row
            .map(|r| Self {
                owner: r.owner,
                granted: r
                    .granted
                    .iter()
                    .filter_map(|c| Permission::parse(c))
                    .collect(),
            })
            .unwrap_or_default())
    }

    /// Whether this member is an owner (may do everything, and confirm bulk changes).
    pub fn is_owner(&self) -> bool {
        self.owner
    }

    /// Whether this member may take `permission`'s action.
    pub fn allows(&self, permission: Permission) -> bool {
        self.owner || self.granted.contains(&permission)
    }

    /// `definitions` as this member may use them: report types they may not see are not
    /// offered at all.
    fn restrict(&self, mut definitions: Vec<ToolDefinition>) -> Vec<ToolDefinition> {
        if !self.allows(Permission::BusinessReports) {
            definitions.retain(|d| d.name != campaign_results::NAME);
            for d in definitions
                .iter_mut()
                .filter(|d| d.name == generate_report::NAME)
            {
                if let Some(types) =
                    d.parameters["properties"]["report_type"]["enum"].as_array_mut()
                {
                    types.retain(|t| !BUSINESS_REPORTS.contains(&t.as_str().unwrap_or_default()));
                }
            }
        }
        if !self.allows(Permission::LoyaltyAdjustments) {
            definitions.retain(|d| d.name != tools::adjust_points::NAME);
        }
        if !self.allows(Permission::DataExport) {
            definitions.retain(|d| d.name != tools::export_client_data::NAME);
        }
        if !self.allows(Permission::OwnDigest) {
            definitions.retain(|d| d.name != tools::digest_settings::NAME);
        }
        definitions
    }
}

/// A call refused for the caller's role: what was asked, and who may do it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("only an owner may take the action {}", permission.code())]
pub struct Denied {
    pub permission: Permission,
    /// The clinic's active owners, by name.
    pub owners: Vec<String>,
}

impl Denied {
    /// The refusal as the member reads it.
    pub fn message(&self, lang: Lang) -> String {
        let what = self.permission.describe(lang);
        let owners = self.owners.join(", ");
        match (lang, owners.is_empty()) {
            (Lang::Es, true) => format!(
                "No tienes permiso para {what}. Solo el dueño de la clínica puede hacerlo."
            ),
            (Lang::Es, false) => format!(
                "No tienes permiso para {what}. Solo el dueño de la clínica ({owners}) puede hacerlo."
            ),
            (Lang::En, true) => format!(
                "You don't have permission to {what}. Only the clinic's owner can do that."
            ),
            (Lang::En, false) => format!(
                "You don't have permission to {what}. Only the clinic's owner ({owners}) can do that."
            ),
        }
    }
}

/// Refuses the call unless the caller's role allows it. System jobs (no staff member) and
/// calls anyone may make pass without a query.
pub async fn check(ctx: &ToolContext, tool: &str, args: &Value) -> Result<(), ToolError> {
    let (Some(staff_id), Some(permission)) = (ctx.staff_id, required(tool, args)) else {
        return Ok(());
    };
    if Access::load(&ctx.pool, staff_id).await?.allows(permission) {
        return Ok(());
    }
    let owners =
        sqlx::query_scalar!("select name from staff where role = 'owner' and active order by id")
            .fetch_all(&ctx.pool)
            .await?;
    Err(ToolError::Forbidden(Denied { permission, owners }))
}

/// The tool definitions to offer the model for this caller.
pub async fn offered(ctx: &ToolContext) -> Vec<ToolDefinition> {
    let all = tools::definitions();
    let Some(staff_id) = ctx.staff_id else {
        return all;
    };
    // Offering less is safe: the check above still guards every call.
    let access = Access::load(&ctx.pool, staff_id)
        .await
        .inspect_err(|e| tracing::warn!(error.message = %e, "Failed to load the member's access"))
        .unwrap_or_default();
    access.restrict(all)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_revenue_products_retention_and_loyalty_reports_are_owner_only() {
        for (report, needs) in [
            ("revenue", true),
            ("products", true),
            ("retention", true),
            ("loyalty", true),
            ("appointments", false),
            ("customers", false),
        ] {
            let args = json!({"report_type": report});
            assert_eq!(
                required(generate_report::NAME, &args),
                needs.then_some(Permission::BusinessReports),
                "{report}"
            );
        }
        assert_eq!(required("tag_owner", &json!({"tag_name": "VIP"})), None);
        assert_eq!(required("add_owner_note", &json!({})), None);
        assert_eq!(
            required(campaign_results::NAME, &json!({})),
            Some(Permission::BusinessReports)
        );
        assert_eq!(
            required(tools::export_client_data::NAME, &json!({"user_id": 1})),
            Some(Permission::DataExport)
        );
    }

    #[test]
    fn staff_are_offered_only_the_reports_they_may_see() {
        let report_types = |access: &Access| -> Vec<Value> {
            let defs = access.restrict(tools::definitions());
            let report = defs
                .iter()
                .find(|d| d.name == generate_report::NAME)
                .unwrap();
            report.parameters["properties"]["report_type"]["enum"]
                .as_array()
                .unwrap()
                .clone()
        };
        let staff = Access::default();
        assert_eq!(
            report_types(&staff),
            [json!("appointments"), json!("customers")]
        );
        let offered = |access: &Access| {
            access
                .restrict(tools::definitions())
                .iter()
                .any(|d| d.name == tools::adjust_points::NAME)
        };
        assert!(
            !offered(&staff),
            "staff are not offered loyalty adjustments"
        );
        let adjusting = Access {
            owner: false,
            granted: vec![Permission::LoyaltyAdjustments],
        };
        assert!(offered(&adjusting));
        let owner = Access {
            owner: true,
            granted: vec![],
        };
        assert_eq!(report_types(&owner).len(), 6);
        let granted = Access {
            owner: false,
            granted: vec![Permission::BusinessReports],
        };
        assert_eq!(report_types(&granted).len(), 6);
        // Every tool but campaign results (a business report), adjust_points (loyalty
        // adjustments), export_client_data (data export) and the owner's own digest setting
        // is offered to staff.
        let offered = staff.restrict(tools::definitions());
        assert_eq!(offered.len(), tools::definitions().len() - 4);
        assert!(offered
            .iter()
            .all(|d| d.name != tools::digest_settings::NAME));
        // Granting every grantable action still leaves the digest setting to owners.
        let all = Access {
            owner: false,
            granted: Permission::ALL.to_vec(),
        };
        let offered_all = all.restrict(tools::definitions());
        assert_eq!(offered_all.len(), tools::definitions().len() - 1);
        assert!(!all.allows(Permission::OwnDigest));
        assert_eq!(Permission::parse(Permission::OwnDigest.code()), None);
        assert!(offered
            .iter()
            .all(|d| d.name != tools::export_client_data::NAME));
        assert!(offered.iter().all(|d| d.name != campaign_results::NAME));
        assert!(offered.iter().all(|d| d.name != tools::adjust_points::NAME));
        assert_eq!(
            owner.restrict(tools::definitions()).len(),
            tools::definitions().len()
        );
    }

    #[test]
    fn permission_codes_round_trip_and_refusals_name_the_owner() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.code()), Some(p));
        }
        let denied = Denied {
            permission: Permission::BusinessReports,
            owners: vec!["Dr. Pablo".into()],
        };
        assert!(denied
            .message(Lang::Es)
            .contains("Solo el dueño de la clínica (Dr. Pablo)"));
        assert!(denied
            .message(Lang::En)
            .contains("Only the clinic's owner (Dr. Pablo)"));
    }
}
