//! Organisations (机构): the city → county tree of authorities, agencies, the service centre,
//! the operator, application units and regulators, each with a credit code, a liaison (B15)
//! and the persons responsible for its data security (第三十三条, 第三十四条).

mod input;
mod list;
mod responsibility;
mod write;

pub use input::{LiaisonInput, OrgInput};
pub use list::{OrgPage, OrgView, get_org, list_orgs};
pub use responsibility::{
    LeadCandidate, ResponsibilityForm, ResponsibilityInput, name_responsible_persons,
    responsibility_form,
};
pub use write::{create_org, delete_org, update_liaison, update_org};
