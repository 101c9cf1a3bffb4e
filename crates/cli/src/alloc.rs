//! The process's allocator: the system allocator, with large blocks backed by transparent huge
//! pages where the kernel offers them only on request (`/sys/kernel/mm/transparent_hugepage/
//! enabled` set to `madvise`, as on Debian).
//!
//! A scan of a hundred million events holds gigabytes of columns, id tables, orderings and
//! pair records, and reads them in random order (an interner probe, a duplicate-id check,
//! a target's events by index). With 4 KiB pages nearly every such read also misses the TLB,
//! and on a virtual machine a TLB miss walks two page tables. Backing each block of 2 MiB or
//! more with 2 MiB pages took a quarter off reading 10 million events (docs/BENCHMARKS.md).
//!
//! Only the advice is added: every block comes from and goes back to the system allocator
//! unchanged. Where the kernel has no transparent huge pages (or they are `never`), the advice
//! fails harmlessly; on other systems this is the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};

/// The system allocator, advising the kernel to back blocks of [`HUGE`] bytes or more with huge
/// pages.
pub(crate) struct HugePages;

/// The huge page size on x86-64 and most aarch64 kernels; also the smallest block advised.
const HUGE: usize = 2 << 20;

#[cfg(target_os = "linux")]
fn advise(p: *mut u8, size: usize) {
    if p.is_null() || size < HUGE {
        return;
    }
    // The whole huge pages inside the block: the advice applies to whole pages, and the
    // block's partial first and last pages may be shared with other blocks.
    let start = (p as usize).next_multiple_of(HUGE);
    let end = (p as usize + size) & !(HUGE - 1);
    if end > start {
        // SAFETY: `start..end` lies inside a block the system allocator just handed out, so
        // it is mapped memory of this process; MADV_HUGEPAGE changes how the kernel backs it,
        // never its contents, and a failure (no THP support) leaves everything as it was.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_: *mut u8, _: usize) {}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged and returns
// its result; `advise` only adds advice on memory that result owns.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as given (the caller upholds `GlobalAlloc::alloc`'s contract).
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` through this allocator with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn large_and_small_blocks_round_trip() {
        let mut v: Vec<u64> = Vec::new();
        for i in 0..(3 << 20) {
            v.push(i);
        }
        assert_eq!(v.iter().sum::<u64>(), (3u64 << 20) * ((3 << 20) - 1) / 2);
        let z = vec![0u8; 5 << 20];
        assert!(z.iter().all(|&b| b == 0));
        let s: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        assert_eq!(s[999], "999");
    }
}
