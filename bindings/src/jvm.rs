//! The search page for Kotlin without JNA: a JNI entry point that takes the query, filters and
//! page as one byte array and answers one byte array, both in UniFFI's own serialization (the
//! generated `FfiConverter`s write and read them). JNA carries every argument and result as a
//! by-value `RustBuffer` structure, one native allocation call and a reflective copy each: about
//! 25 µs of a 75 µs page (docs/performance.md). The search itself is the exported
//! [`CatalogApi::search`]; only the way across differs. Kotlin: `client/SearchChannel.kt`.

use jni::objects::{JByteArray, JClass};
use jni::sys::jlong;
use jni::{EnvUnowned, errors::ThrowRuntimeExAndDefault};
use smarthd_core::{PageRequest, SearchFilters};
use uniffi::{Handle, HandleAlloc, Lift, Lower};

use crate::{CatalogApi, SmartHdError, UniFfiTag};

/// The answer's first byte: a `SearchPage` follows.
const PAGE: u8 = 0;
/// The answer's first byte: a `SmartHdError` follows.
const ERROR: u8 = 1;

/// `SearchChannel.search(handle, request)`. `handle` is a clone the caller made for this call
/// (UniFFI's protocol: the callee consumes it).
#[unsafe(no_mangle)]
pub extern "system" fn Java_vn_gov_haiduong_smarthd_client_SearchChannel_search<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> JByteArray<'local> {
    // Consumed first, whatever follows, so the clone is never leaked.
    let api =
        unsafe { <CatalogApi as HandleAlloc<UniFfiTag>>::consume_handle(Handle::from_raw_unchecked(handle as u64)) };
    env.with_env(|env| -> Result<_, jni::errors::Error> {
        let answer = answer(&api, &env.convert_byte_array(&request)?);
        env.byte_array_from_slice(&answer)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// The search's answer, serialized: [`PAGE`] and the page, or [`ERROR`] and the error.
fn answer(api: &CatalogApi, request: &[u8]) -> Vec<u8> {
    let mut answer = Vec::with_capacity(4096);
    match read_request(request).and_then(|(query, filters, page)| api.search(query, filters, page)) {
        Ok(page) => {
            answer.push(PAGE);
            <smarthd_core::SearchPage as Lower<UniFfiTag>>::write(page, &mut answer);
        }
        Err(error) => {
            answer.push(ERROR);
            <SmartHdError as Lower<UniFfiTag>>::write(error, &mut answer);
        }
    }
    answer
}

fn read_request(mut request: &[u8]) -> crate::Result<(String, SearchFilters, PageRequest)> {
    let buf = &mut request;
    let read = (|| -> uniffi::Result<_> {
        let query = <String as Lift<UniFfiTag>>::try_read(buf)?;
        let filters = <SearchFilters as Lift<UniFfiTag>>::try_read(buf)?;
        let page = <PageRequest as Lift<UniFfiTag>>::try_read(buf)?;
        Ok((query, filters, page))
    })();
    match read {
        Ok(arguments) if buf.is_empty() => Ok(arguments),
        _ => Err(SmartHdError::Other {
            detail: "a search request the core cannot read (bindings of another version?)".into(),
        }),
    }
}
