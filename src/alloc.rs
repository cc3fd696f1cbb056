//! The binary's global allocator: mimalloc for ordinary allocations, the
//! system allocator for large ones. The crate's one module with unsafe code
//! (`GlobalAlloc` is an unsafe trait); `main.rs` installs it, so the library's
//! own tests run on the default allocator.
//!
//! mimalloc makes the many small allocations of a request (row strings,
//! nested objects, hash maps, response bodies) cheaper than glibc's malloc,
//! whose `malloc_consolidate` ran on every list page. But mimalloc keeps
//! freed memory committed until later allocations purge it, so a large
//! buffer freed just before the server goes idle (argon2's ~19 MiB of
//! blocks for the admin's password hash at first start) would stay resident:
//! 32 MB idle instead of 16.5. Allocations of [`LARGE`] bytes or more
//! therefore go to the system allocator, as they did before.
#![allow(unsafe_code)]

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout, System};

/// Allocations at least this large bypass mimalloc.
pub const LARGE: usize = 1 << 20;

/// mimalloc below [`LARGE`], the system allocator from there on.
pub struct SplitAlloc;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is freed or resized by the allocator that made it:
// the choice depends only on the layout's size, which the caller passes
// back unchanged to `dealloc` and `realloc`. A `realloc` that crosses
// `LARGE` moves the block between the two allocators by copy.
unsafe impl GlobalAlloc for SplitAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe {
            if is_large(layout.size()) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if is_large(layout.size()) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the allocator this same size picks.
        unsafe {
            if is_large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from the allocator `layout`'s size picks; when
        // the new size picks the other one, the block moves by copy of the
        // bytes both blocks hold, and the old block is freed only once the
        // new one exists.
        unsafe {
            match (is_large(layout.size()), is_large(new_size)) {
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                (true, true) => System.realloc(ptr, layout, new_size),
                _ => {
                    let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                        return std::ptr::null_mut();
                    };
                    let new_ptr = self.alloc(new_layout);
                    if !new_ptr.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new_ptr
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allocates `size` bytes through `SplitAlloc`, fills them, grows or
    /// shrinks the block to `new_size`, and returns the bytes both sizes hold.
    fn fill_and_resize(size: usize, new_size: usize) -> Vec<u8> {
        let layout = Layout::from_size_align(size, 16).unwrap();
        // SAFETY: the layout is non-zero; the block is written within its
        // size, resized with its own layout, read within the smaller size,
        // and freed with its new layout.
        unsafe {
            let ptr = SplitAlloc.alloc(layout);
            assert!(!ptr.is_null());
            for i in 0..size {
                *ptr.add(i) = (i % 251) as u8;
            }
            let grown = SplitAlloc.realloc(ptr, layout, new_size);
            assert!(!grown.is_null());
            assert_eq!(grown as usize % 16, 0, "alignment kept");
            let kept = std::slice::from_raw_parts(grown, size.min(new_size)).to_vec();
            SplitAlloc.dealloc(grown, Layout::from_size_align(new_size, 16).unwrap());
            kept
        }
    }

    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn resizing_keeps_the_bytes_within_and_across_the_threshold() {
        for (size, new_size) in [
            (100, 4_000),               // small to small (mimalloc)
            (LARGE - 8, LARGE + 4_096), // small to large: copied to the system allocator
            (LARGE + 4_096, 3 * LARGE), // large to large (system realloc)
            (2 * LARGE, LARGE / 2),     // large to small: copied back to mimalloc
            (LARGE, LARGE - 1),         // the threshold itself is large
        ] {
            assert_eq!(fill_and_resize(size, new_size), pattern(size.min(new_size)), "{size} -> {new_size}");
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_on_both_sides_of_the_threshold() {
        for size in [64, LARGE + 1] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero layout; read within the block; freed with it.
            unsafe {
                let ptr = SplitAlloc.alloc_zeroed(layout);
                assert!(!ptr.is_null());
                assert!(std::slice::from_raw_parts(ptr, size).iter().all(|&b| b == 0));
                SplitAlloc.dealloc(ptr, layout);
            }
        }
    }
}
