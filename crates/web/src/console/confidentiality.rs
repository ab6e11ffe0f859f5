//! The confidentiality review form (保密审查, 第三十四条), shared by the entry page and the
//! share request page.

use gongshu_app::confidentiality::ReviewInput;
use serde::{Deserialize, Serialize};

/// The form as ticked: a checkbox sends a value only when ticked.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ReviewFields {
    no_state_secret: String,
    personal_information_protected: String,
    legal_basis_checked: String,
    opinion: String,
}

impl ReviewFields {
    pub fn input(&self) -> ReviewInput {
        ReviewInput {
            no_state_secret: !self.no_state_secret.is_empty(),
            personal_information_protected: !self.personal_information_protected.is_empty(),
            legal_basis_checked: !self.legal_basis_checked.is_empty(),
            opinion: self.opinion.clone(),
        }
    }
}
