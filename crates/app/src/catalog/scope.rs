//! Where an organisation sits for catalog purposes: the authority that reviews its entries is
//! the nearest authority at or above it, and when that authority has one above it, the entries
//! go on to that one too (H8, 第八条: county entries by the county authority and then the city
//! authority, city entries by the city authority alone).

use std::collections::HashMap;

use gongshu_domain::catalog::ReviewRoute;
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

/// The authorities an organisation's entries pass through before publication.
pub(crate) struct Reviewers<'a> {
    /// The nearest authority: reviews every submission first.
    pub first: &'a OrgRow,
    /// The authority above the first one (the city above a county), which reviews what the
    /// first approved; none for the top authority's own agencies.
    pub second: Option<&'a OrgRow>,
}

impl Reviewers<'_> {
    pub fn route(&self) -> ReviewRoute {
        match self.second {
            Some(_) => ReviewRoute::TwoLevel,
            None => ReviewRoute::OneLevel,
        }
    }
}

pub(crate) fn reviewers<'a>(
    orgs: &'a HashMap<String, OrgRow>,
    org_id: &str,
) -> Result<Reviewers<'a>> {
    let first = reviewing_authority(orgs, org_id)?;
    let second = first
        .parent_id
        .as_deref()
        .and_then(|parent| reviewing_authority(orgs, parent).ok());
    Ok(Reviewers { first, second })
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
