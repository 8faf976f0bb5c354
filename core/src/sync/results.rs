//! Results in hand: once the portal issues a dossier's result, `sync` fetches its signed
//! metadata and its PDF, checks the signature with a trusted portal key (the receipts' keys,
//! [`crate::trusted_keys`]) and the PDF against the digest it signs, and keeps
//! both sealed, for the resident to open and export offline.

use crate::dossier::{Dossiers, ResultPayload, SignedResult, result_payload};
use crate::error::{Class, Error, Result};
use crate::identity::ResidentCredentials;
use crate::owner::Owner;
use crate::payment::Payments;
use crate::payment::receipt::signature_ok;
use crate::transport::{PortalClient, Request, segment};

pub struct Context<'a> {
    pub portal: &'a PortalClient,
    pub credentials: ResidentCredentials<'a>,
    pub dossiers: &'a Dossiers,
    pub payments: &'a Payments,
    pub owner: &'a Owner,
}

/// Fetches every result the portal issued that the phone does not hold yet; answers how many
/// were kept. Offline or logged out, it stops and the next sync goes on.
pub async fn fetch_new(cx: &Context<'_>) -> Result<u32> {
    let mut kept = 0;
    for dossier_id in cx.dossiers.results_to_fetch(cx.owner)? {
        match fetch(cx, &dossier_id).await {
            Ok(_) => kept += 1,
            Err(error) if matches!(error.class(), Some(Class::Offline | Class::NeedsLogin)) => break,
            Err(error) => tracing::info!("the result of a dossier was not kept: {error}"),
        }
    }
    Ok(kept)
}

async fn fetch(cx: &Context<'_>, dossier_id: &str) -> Result<ResultPayload> {
    let url = cx.portal.url(&format!("api/v1/dossiers/{}/result/signed", segment(dossier_id)?))?;
    let signed: SignedResult = cx.portal.send_authorized(&cx.credentials, Request::get(url)).await?.json()?;
    cx.payments.keys().learn(cx.portal, &signed.key_id).await?;
    verify(cx.payments, &signed)?;
    let url = cx.portal.url(&format!("api/v1/dossiers/{}/result", segment(dossier_id)?))?;
    let answer = cx.portal.send_authorized(&cx.credentials, Request::get(url)).await?;
    if !answer.is_success() {
        return Err(answer.refusal().into());
    }
    cx.dossiers.keep_result(cx.owner, dossier_id, &signed, &answer.body)
}

/// The signature of a result with a trusted portal key (pinned, or fetched and sealed); a key
/// the phone does not trust is no key.
pub fn verify(payments: &Payments, signed: &SignedResult) -> Result<ResultPayload> {
    let invalid = |reason: String| Error::Validation { field: "result".into(), reason };
    let key = payments.keys().trusted(&signed.key_id)?.ok_or_else(|| {
        invalid(format!(
            "chưa có khoá {0} của cổng để kiểm tra kết quả / no key {0} from the portal to check the result with",
            signed.key_id
        ))
    })?;
    if !signature_ok(&signed.payload, &signed.signature, &key) {
        return Err(invalid(
            "chữ ký của kết quả không hợp lệ / the result's signature does not verify: it was altered or not issued \
             by the portal"
                .into(),
        ));
    }
    let payload = result_payload(signed)?;
    if payload.result_id != signed.result_id {
        return Err(invalid("kết quả ghi tên một kết quả khác / the result's payload names another result".into()));
    }
    Ok(payload)
}
