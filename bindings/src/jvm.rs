//! The search page for Kotlin without JNA: a JNI entry point that takes the query, filters and
//! page as one byte array and answers one byte array, both in UniFFI's own serialization (the
//! generated `FfiConverter`s write the request, `SearchChannel.readPage` reads the page). JNA
//! carries every argument and result as a by-value `RustBuffer` structure, one native allocation
//! call and a reflective copy each: about 25 µs of a 75 µs page (docs/performance.md). The search itself is the exported
//! [`CatalogApi::search`]; only the way across differs. Kotlin: `client/SearchChannel.kt`.
//!
//! Four JNI calls through `jni-sys`, JNI's raw interface: the `jni` crate's environment guard and
//! error policy made the library 99 KB larger for them.

use std::panic::{AssertUnwindSafe, catch_unwind};

use jni_sys::{JNIEnv, jbyteArray, jclass, jint, jlong, jsize};
use smarthd_core::{PageRequest, SearchFilters};
use uniffi::{Handle, HandleAlloc, Lift, Lower};

use crate::{CatalogApi, SmartHdError, UniFfiTag};

/// The answer's first byte: a `SearchPage` follows.
const PAGE: u8 = 0;
/// The answer's first byte: a `SmartHdError` follows.
const ERROR: u8 = 1;

/// `SearchChannel.search(handle, request, length)`: the first `length` bytes of `request`.
/// `handle` is the channel's own, borrowed for the call (the channel keeps it until no call is
/// in flight, then gives it to [`release`](Java_vn_gov_haiduong_smarthd_client_SearchChannel_release)).
/// Returns null only with a Java exception pending (the JVM could not copy or allocate an array).
///
/// # Safety
/// Called by the JVM only: `env` is the calling thread's environment, `request` a live `byte[]`
/// of at least `length` bytes, `handle` a live handle of a `CatalogApi`.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_vn_gov_haiduong_smarthd_client_SearchChannel_search(
    env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    request: jbyteArray,
    length: jint,
) -> jbyteArray {
    let api = unsafe { <CatalogApi as HandleAlloc<UniFfiTag>>::get_arc(Handle::from_raw_unchecked(handle as u64)) };
    let Some(request) = (unsafe { bytes_of(env, request, length) }) else {
        return std::ptr::null_mut();
    };
    // A panic must not unwind into the JVM: it is answered as `Other`, as UniFFI's calls do.
    let answer = catch_unwind(AssertUnwindSafe(|| answer(&api, &request))).unwrap_or_else(|_| {
        error_answer(SmartHdError::Other { detail: "the core failed during a search (a panic)".into() })
    });
    unsafe { byte_array(env, &answer) }
}

/// `SearchChannel.release(handle)`: the channel is closed and no call is in flight.
///
/// # Safety
/// Called by the JVM only, once per handle, which is not used after.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_vn_gov_haiduong_smarthd_client_SearchChannel_release(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
) {
    drop(unsafe { <CatalogApi as HandleAlloc<UniFfiTag>>::consume_handle(Handle::from_raw_unchecked(handle as u64)) });
}

/// The first `length` bytes of a Java `byte[]`; None with an exception pending.
unsafe fn bytes_of(env: *mut JNIEnv, array: jbyteArray, length: jint) -> Option<Vec<u8>> {
    let jni = unsafe { &(**env).v1_1 };
    // A negative length gets the JVM's `ArrayIndexOutOfBoundsException`, as a length past the end.
    let mut bytes = vec![0u8; usize::try_from(length).unwrap_or(0)];
    unsafe { (jni.GetByteArrayRegion)(env, array, 0, length, bytes.as_mut_ptr().cast()) };
    (!unsafe { ((**env).v1_2.ExceptionCheck)(env) }).then_some(bytes)
}

/// A new Java `byte[]` holding `bytes`; null with an `OutOfMemoryError` pending.
unsafe fn byte_array(env: *mut JNIEnv, bytes: &[u8]) -> jbyteArray {
    let jni = unsafe { &(**env).v1_1 };
    let length = jsize::try_from(bytes.len()).expect("a page of at most 200 hits is far below 2 GiB");
    let array = unsafe { (jni.NewByteArray)(env, length) };
    if !array.is_null() {
        unsafe { (jni.SetByteArrayRegion)(env, array, 0, length, bytes.as_ptr().cast()) };
    }
    array
}

/// The search's answer, serialized: [`PAGE`] and the page, or [`ERROR`] and the error.
fn answer(api: &CatalogApi, request: &[u8]) -> Vec<u8> {
    let mut answer = Vec::with_capacity(4096);
    match read_request(request).and_then(|(query, filters, page)| api.search(query, filters, page)) {
        Ok(page) => {
            answer.push(PAGE);
            <smarthd_core::SearchPage as Lower<UniFfiTag>>::write(page, &mut answer);
        }
        Err(error) => return error_answer(error),
    }
    answer
}

fn error_answer(error: SmartHdError) -> Vec<u8> {
    let mut answer = vec![ERROR];
    <SmartHdError as Lower<UniFfiTag>>::write(error, &mut answer);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, filters: SearchFilters, page: PageRequest) -> Vec<u8> {
        let mut bytes = Vec::new();
        <String as Lower<UniFfiTag>>::write(query.to_owned(), &mut bytes);
        <SearchFilters as Lower<UniFfiTag>>::write(filters, &mut bytes);
        <PageRequest as Lower<UniFfiTag>>::write(page, &mut bytes);
        bytes
    }

    #[test]
    fn a_request_is_read_whole_or_refused() {
        let filters = SearchFilters { field: Some("Hộ tịch".into()), ..SearchFilters::default() };
        let page = PageRequest { offset: 20, limit: 7 };
        let bytes = request("đăng ký khai sinh", filters.clone(), page);
        let (query, read_filters, read_page) = read_request(&bytes).unwrap();
        assert_eq!((query.as_str(), read_filters, read_page), ("đăng ký khai sinh", filters, page));

        let refused = |bytes: &[u8]| matches!(read_request(bytes), Err(SmartHdError::Other { .. }));
        assert!(refused(&bytes[..bytes.len() - 1]), "a request cut short");
        assert!(refused(&[bytes.as_slice(), &[0]].concat()), "a request with bytes after the page");
        assert!(refused(&[]), "an empty request");
    }

    #[test]
    fn an_error_answer_starts_with_its_tag() {
        let answer = error_answer(SmartHdError::validation("limit", "1..=200"));
        assert_eq!(answer[0], ERROR);
        let mut rest = &answer[1..];
        let error = <SmartHdError as Lift<UniFfiTag>>::try_read(&mut rest).unwrap();
        assert_eq!(error, SmartHdError::validation("limit", "1..=200"));
        assert!(rest.is_empty());
    }
}
