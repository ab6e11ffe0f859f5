//! Where an organisation sits for catalog purposes: the authority that reviews its entries is
//! the nearest authority at or above it (H8: county entries by the county authority, city
//! entries by the city authority).

use std::collections::HashMap;

use gongshu_store::orgs::OrgRow;
use gongshu_store::{Conn, orgs};

use crate::{AppError, Result};

/// All organisations by id; a city has a few hundred, so they are read whole.
pub(crate) async fn org_map(conn: &mut Conn) -> Result<HashMap<String, OrgRow>> {
    Ok(orgs::list_orgs(conn)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}

pub(crate) fn reviewing_authority<'a>(
    orgs: &'a HashMap<String, OrgRow>,
    org_id: &str,
) -> Result<&'a OrgRow> {
    let mut cursor = orgs.get(org_id);
    while let Some(org) = cursor {
        if org.kind == "authority" {
            return Ok(org);
        }
        cursor = org.parent_id.as_ref().and_then(|p| orgs.get(p));
    }
    Err(AppError::conflict(
        "no_reviewing_authority",
        "该单位上级没有公共数据主管部门，无法提交审核",
        "no authority above this organisation can review its catalog",
    ))
}

/// Whether `org_id` falls under `authority_id` (itself included): the city authority's scope
/// is the whole city, a county authority's its county.
pub(crate) fn within(orgs: &HashMap<String, OrgRow>, org_id: &str, authority_id: &str) -> bool {
    let mut cursor = orgs.get(org_id);
    while let Some(org) = cursor {
        if org.id == authority_id {
            return true;
        }
        cursor = org.parent_id.as_ref().and_then(|p| orgs.get(p));
    }
    false
}
