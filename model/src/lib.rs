//! `smarthd-model`: the pure data and rules that the phone and the portal share.
//!
//! Wire types of the catalog ([`catalog`]), dossier and payment statuses ([`dossier`],
//! [`payment`]), appointments at one-stop counters ([`appointment`]), e-receipts ([`receipt`]), signed
//! dossier results ([`result_doc`]), field reports and commune boundaries ([`report`]), alerts ([`alert`]), the
//! working calendar of deadlines ([`workcal`]), the e-form schema's validation ([`form`]), the VietQR
//! codec ([`vietqr`]) and Vietnamese text folding ([`text`]). Nothing here does I/O: the core (phone side) and the
//! sandbox (portal side) both build on it, and neither imports the other.

pub mod alert;
pub mod appointment;
pub mod catalog;
pub mod dossier;
pub mod form;
pub mod papers;
pub mod payment;
pub mod receipt;
pub mod report;
pub mod result_doc;
pub mod text;
pub mod vietqr;
pub mod workcal;

pub use dossier::{DossierStatus, ForPerson};
pub use form::{FieldError, FieldProblem};
pub use payment::{PaymentEvent, PaymentStatus};
