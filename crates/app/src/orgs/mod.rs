//! Organisations (机构): the city → county tree of authorities, agencies, the service centre,
//! the operator, application units and regulators, each with a credit code and a liaison (B15).

mod input;
mod list;
mod write;

pub use input::{LiaisonInput, OrgInput};
pub use list::{OrgPage, OrgView, get_org, list_orgs};
pub use write::{create_org, delete_org, update_liaison, update_org};
