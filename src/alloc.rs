//! The binary's global allocator: mimalloc, told to return freed memory to
//! the OS at once. The crate's one module with unsafe code (a call into
//! mimalloc's C API); `main.rs` installs the allocator and calls
//! [`purge_freed_memory_at_once`] first thing, so the library's own tests
//! run on the default allocator.
//!
//! mimalloc makes the many small allocations of a request (row strings,
//! nested objects, hash maps, response bodies) cheaper than glibc's malloc,
//! whose `malloc_consolidate` ran on every list page. By default it keeps
//! freed memory committed for a second before purging it, so a large buffer
//! freed just before the server goes idle (argon2's blocks for the admin's
//! hash at first start) stayed resident, and seeding peaked higher; purging
//! at once costs no measurable CPU per request (figures: bench/README.md,
//! "Allocator"). (Its other memory options, transparent huge pages and eager
//! arena commits, are read before `main` runs: they are compile-time
//! defaults, set in `.cargo/config.toml`.)
#![allow(unsafe_code)]

use libmimalloc_sys::{mi_option_set, mi_option_t};

pub use mimalloc::MiMalloc;

/// `mi_option_purge_delay` of `mi_option_e` in mimalloc.h (the bindings
/// name no constant for it in mimalloc v3). mimalloc keeps these numbers
/// stable, retiring options as `deprecated_` placeholders.
const PURGE_DELAY: mi_option_t = 15;

/// Make mimalloc purge freed memory as soon as it is freed instead of after
/// its default delay of 1,000 ms. Call before spawning threads.
pub fn purge_freed_memory_at_once() {
    // SAFETY: `mi_option_set` stores one integer in mimalloc's option
    // table; `main` calls it before spawning any thread, so nothing reads
    // the option meanwhile.
    unsafe { mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reads one integer option.
        unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
    }

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // mimalloc's default purge delay is 1,000 ms, and no other option
        // defaults to that: a wrong option number fails here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge_delay(), 1_000);
        }
        purge_freed_memory_at_once();
        assert_eq!(purge_delay(), 0);
    }
}
