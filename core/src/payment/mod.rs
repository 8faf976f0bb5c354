//! Fee payments: orders the portal makes for a dossier's fees, paid through a VNPay-compatible
//! gateway or by VietQR bank transfer, reconciled with the portal, and e-receipts verified offline.

pub mod vietqr;
pub mod vnpay;
