//! Organisations (机构) form a tree: the city authority at the root, city bodies beneath it,
//! each county's authority beneath the city authority and the county's bodies beneath their
//! own authority (H6). The nearest authority above an organisation reviews its catalog (H8).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Violation, Violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Authority,
    ServiceCentre,
    Agency,
    Operator,
    ApplicationUnit,
    Regulator,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Authority,
        OrgKind::ServiceCentre,
        OrgKind::Agency,
        OrgKind::Operator,
        OrgKind::ApplicationUnit,
        OrgKind::Regulator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Authority => "authority",
            OrgKind::ServiceCentre => "service_centre",
            OrgKind::Agency => "agency",
            OrgKind::Operator => "operator",
            OrgKind::ApplicationUnit => "application_unit",
            OrgKind::Regulator => "regulator",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrgKind::Authority => "公共数据主管部门",
            OrgKind::ServiceCentre => "大数据服务中心",
            OrgKind::Agency => "公共管理和服务机构",
            OrgKind::Operator => "运营单位",
            OrgKind::ApplicationUnit => "应用单位",
            OrgKind::Regulator => "监管部门",
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrgKind {
    type Err = Violation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Violation::new(
                    "kind",
                    "unknown_org_kind",
                    format!("未知机构类型：{s}"),
                    format!("unknown organisation kind: {s}"),
                )
            })
    }
}

/// City or county (旗县区) tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    City,
    County,
}

impl OrgLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgLevel::City => "city",
            OrgLevel::County => "county",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrgLevel::City => "市级",
            OrgLevel::County => "旗县区级",
        }
    }
}

impl FromStr for OrgLevel {
    type Err = Violation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "city" => Ok(OrgLevel::City),
            "county" => Ok(OrgLevel::County),
            _ => Err(Violation::new(
                "level",
                "unknown_level",
                format!("未知层级：{s}"),
                format!("unknown level: {s}"),
            )),
        }
    }
}

/// What the tree rule needs to know about an organisation's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgPlacement {
    pub kind: OrgKind,
    pub level: OrgLevel,
}

/// Where an organisation may sit: `parent` is `None` only for the root, which must be the city
/// authority; a county authority hangs under the city authority; other county bodies under
/// their county's authority; city bodies under any city body.
pub fn check_placement(
    org: OrgPlacement,
    parent: Option<OrgPlacement>,
    root_exists: bool,
) -> Result<(), Violations> {
    let bad = |zh: &str, en: &str| -> Result<(), Violations> {
        Err(Violation::new("parent_id", "bad_placement", zh, en).into())
    };
    match parent {
        None if root_exists => bad(
            "除市级主管部门外，每个机构都必须有上级机构",
            "every organisation except the city authority needs a parent",
        ),
        None if org.kind != OrgKind::Authority || org.level != OrgLevel::City => bad(
            "根机构必须是市级公共数据主管部门",
            "the root organisation must be the city authority",
        ),
        None => Ok(()),
        Some(p) => match (org.level, org.kind) {
            (OrgLevel::County, OrgKind::Authority)
                if !(p.level == OrgLevel::City && p.kind == OrgKind::Authority) =>
            {
                bad(
                    "旗县区主管部门的上级必须是市级主管部门",
                    "a county authority must sit under the city authority",
                )
            }
            (OrgLevel::County, k)
                if k != OrgKind::Authority
                    && !(p.level == OrgLevel::County && p.kind == OrgKind::Authority) =>
            {
                bad(
                    "旗县区机构的上级必须是本旗县区主管部门",
                    "a county body must sit under its county authority",
                )
            }
            (OrgLevel::City, _) if p.level != OrgLevel::City => bad(
                "市级机构的上级必须是市级机构",
                "a city body must sit under a city body",
            ),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: OrgKind, level: OrgLevel) -> OrgPlacement {
        OrgPlacement { kind, level }
    }

    // H6: one city platform with county tenants.
    #[test]
    fn tree_rules() {
        let city_auth = at(OrgKind::Authority, OrgLevel::City);
        let county_auth = at(OrgKind::Authority, OrgLevel::County);
        let city_agency = at(OrgKind::Agency, OrgLevel::City);
        let county_agency = at(OrgKind::Agency, OrgLevel::County);
        assert!(check_placement(city_auth, None, false).is_ok());
        assert!(check_placement(city_agency, None, false).is_err());
        assert!(check_placement(city_auth, None, true).is_err());
        assert!(check_placement(city_agency, Some(city_auth), true).is_ok());
        assert!(check_placement(county_auth, Some(city_auth), true).is_ok());
        assert!(check_placement(county_auth, Some(city_agency), true).is_err());
        assert!(check_placement(county_agency, Some(county_auth), true).is_ok());
        assert!(check_placement(county_agency, Some(city_auth), true).is_err());
        assert!(check_placement(city_agency, Some(county_auth), true).is_err());
    }
}
