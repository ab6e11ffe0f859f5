//! Where a submission package goes (报自治区): the port a connector to the autonomous region's
//! platform plugs into. The region's platform is not reachable from the city's today, so the
//! one connector is [`ManualConnector`]: the city authority downloads the package and sends it
//! through the region's own channel, then records the region's answer by hand. A connector
//! that talks to the region's platform implements the same trait and is chosen where the
//! application is built.

use futures_util::future::BoxFuture;

use super::package::Package;
use crate::Result;

pub trait RegionConnector: Send + Sync + 'static {
    /// The name kept with each submission, so its record says how the package travelled.
    fn name(&self) -> &'static str;

    /// Hands `package` to the region. An error leaves nothing recorded, so the authority can
    /// try again; success means the package is on its way (or, manually, ready to be sent).
    fn deliver<'a>(&'a self, package: &'a Package) -> BoxFuture<'a, Result<()>>;
}

/// Delivery by hand: the package is kept for download and nothing is sent from here.
pub struct ManualConnector;

impl RegionConnector for ManualConnector {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn deliver<'a>(&'a self, _package: &'a Package) -> BoxFuture<'a, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
