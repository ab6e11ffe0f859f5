//! 安全策略: the policy in force for the security and system admins; the security admin
//! changes it (password length, lockout, session idle time) within the platform's bounds.

use axum::extract::State;
use axum::response::Response;
use gongshu_app::security_policy;
use gongshu_domain::SecurityPolicy;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::auth::Viewer;
use super::forms::{Fields, form_errors, number};
use super::render::{PageError, done};
use crate::state::AppState;

pub async fn view(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let policy = security_policy::view(&state.app, viewer.ctx())
        .await
        .map_err(|e| viewer.fail(e))?;
    let form = PolicyFields::of(&policy);
    Ok(viewer.page("security_policy.html", context! { policy => policy, form => form, may_edit => viewer.may("update_security_policy") }))
}

/// The policy form as typed, kept to show it again with its errors.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct PolicyFields {
    password_min_length: String,
    lockout_threshold: String,
    lockout_minutes: String,
    session_idle_minutes: String,
}

impl PolicyFields {
    fn of(p: &SecurityPolicy) -> Self {
        Self {
            password_min_length: p.password_min_length.to_string(),
            lockout_threshold: p.lockout_threshold.to_string(),
            lockout_minutes: p.lockout_minutes.to_string(),
            session_idle_minutes: p.session_idle_minutes.to_string(),
        }
    }

    /// Unreadable numbers become 0, which the policy's own bounds refuse with a message.
    fn policy(&self) -> SecurityPolicy {
        SecurityPolicy {
            password_min_length: number(&self.password_min_length).unwrap_or(0),
            lockout_threshold: number(&self.lockout_threshold).unwrap_or(0),
            lockout_minutes: number(&self.lockout_minutes).unwrap_or(0),
            session_idle_minutes: number(&self.session_idle_minutes).unwrap_or(0),
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Fields(fields): Fields<PolicyFields>,
) -> Result<Response, PageError> {
    match security_policy::update(&state.app, viewer.ctx(), fields.policy()).await {
        Ok(_) => Ok(done("/security-policy", "policy_updated")),
        Err(e) => {
            let failed = form_errors(&viewer, e)?;
            let policy = security_policy::view(&state.app, viewer.ctx())
                .await
                .map_err(|e| viewer.fail(e))?;
            Ok(viewer.page_with_status(
                failed.status,
                "security_policy.html",
                context! { policy => policy, form => fields, may_edit => viewer.may("update_security_policy"), error => failed.message, errors => failed.fields },
            ))
        }
    }
}
