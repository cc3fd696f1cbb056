//! JSON response bodies. Each worker thread serializes into one reusable
//! buffer and copies the result out once, instead of growing a fresh `Vec`
//! by doubling (see bench/README.md, "Response serialization").

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use serde::Serialize;
use std::cell::RefCell;

/// Buffers that grew past this (a huge page) are not kept for the next request.
const KEEP_AT_MOST: usize = 1 << 20;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// `value` as JSON bytes.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Bytes> {
    BUFFER.with_borrow_mut(|buf| {
        buf.clear();
        let out = serde_json::to_writer(&mut *buf, value).map(|()| Bytes::copy_from_slice(buf));
        if buf.capacity() > KEEP_AT_MOST {
            *buf = Vec::new();
        }
        out
    })
}

/// `200 OK` with `value` as an `application/json` body.
pub fn ok<T: Serialize + ?Sized>(value: &T) -> HttpResponse {
    match to_bytes(value) {
        Ok(body) => HttpResponse::Ok().content_type(ContentType::json()).body(body),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::internal(format!(
            "cannot serialize the response: {e}"
        ))),
    }
}
