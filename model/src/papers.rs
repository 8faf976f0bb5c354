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
