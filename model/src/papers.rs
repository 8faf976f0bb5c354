//! The resident's personal papers as the portal's identity side lists them
//! (`GET /api/v1/me/documents`, VNeID level 2): CCCD, driving licence, health insurance card...

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileCard {
    /// `cccd`, `gplx`, `bhyt`, ...
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub number: String,
    pub issued_by: String,
    pub issued_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileCards {
    pub documents: Vec<ProfileCard>,
}

/// The resident as the portal knows them (`GET /api/v1/me`, any VNeID level). Personal data:
/// shown to the resident, never logged (`cccd` masked where it is shown in passing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalProfile {
    /// The provider's opaque subject identifier.
    pub sub: String,
    pub name: String,
    pub cccd: String,
    /// The VNeID level of the login the call was made with: 1 or 2.
    pub level: u8,
    /// The login's authentication context (`vneid:level1`, `vneid:level2`).
    pub acr: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub birthdate: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}
