//! A cache prefetch hint, used where the next memory accesses are known ahead but are scattered
//! (interning a long ranking; waking displaced students).

/// Starts loading the cache line at `value` without waiting for it. Any address will do: a
/// prefetch of memory the program does not own is ignored.
#[inline(always)]
pub(crate) fn prefetch<T>(value: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults, whatever the address, and changes no
    // state the program can observe; SSE is part of the x86_64 baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(value.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
