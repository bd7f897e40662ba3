//! The one way the emulator takes a lock.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex` even if a handler panicked while holding it: what the emulator guards is
/// plain data, never left half-changed in a way the next request cannot read, and one panic
/// must not turn every later request into another.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
