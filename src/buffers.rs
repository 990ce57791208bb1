//! Large byte buffers used again instead of freed: the daemon assembles its feed files
//! afresh on every run, and a 10,000-posting feed set is about 550 MB.
//!
//! Freeing that much and faulting fresh pages in for the next run cost more than copying
//! the bytes (page zeroing, and `munmap` holding the address space lock every page fault
//! needs). A served file's bytes come back here when their last reader is gone.

use bytes::Bytes;
use std::sync::Mutex;

/// Smaller buffers are left to the allocator.
const MIN: usize = 1 << 20;
/// At most this many bytes wait here; more are freed.
const MAX_KEPT: usize = 1 << 30;

static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer for about `hint` bytes: a kept one when there is one (the smallest that
/// fits, else the largest), else a new one.
pub fn take(hint: usize) -> Vec<u8> {
    if hint >= MIN {
        let mut pool = crate::lock(&POOL);
        let fits = pool
            .iter()
            .enumerate()
            .filter(|(_, b)| b.capacity() >= hint)
            .min_by_key(|(_, b)| b.capacity())
            .or_else(|| pool.iter().enumerate().max_by_key(|(_, b)| b.capacity()))
            .map(|(i, _)| i);
        if let Some(i) = fits {
            let mut buf = pool.swap_remove(i);
            buf.clear();
            return buf;
        }
    }
    Vec::with_capacity(hint)
}

/// `bytes` as shared [`Bytes`] that come back to [`take`] once the last clone is dropped.
pub fn share(bytes: Vec<u8>) -> Bytes {
    if bytes.capacity() < MIN {
        return Bytes::from(bytes);
    }
    Bytes::from_owner(Kept(bytes))
}

/// A buffer on its way back to the pool.
struct Kept(Vec<u8>);

impl AsRef<[u8]> for Kept {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.0);
        let mut pool = crate::lock(&POOL);
        let kept: usize = pool.iter().map(Vec::capacity).sum();
        if kept + buf.capacity() <= MAX_KEPT {
            pool.push(buf);
        } else {
            drop(pool);
            drop(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_buffer_comes_back_when_its_last_clone_is_dropped() {
        let mut buf = take(MIN * 3);
        buf.extend_from_slice(&vec![7u8; MIN * 3]);
        let at = buf.as_ptr() as usize;
        let shared = share(buf);
        let clone = shared.clone();
        drop(shared);
        assert_eq!(&clone[..3], [7, 7, 7], "a clone still reads the bytes");
        drop(clone);
        // Other tests may take buffers meanwhile: look for this one among the kept.
        let back = crate::lock(&POOL).iter().any(|b| b.as_ptr() as usize == at);
        assert!(back, "the buffer was not kept");
        let again: Vec<Vec<u8>> = (0..64).map(|_| take(MIN * 3)).collect();
        let reused = again.iter().find(|b| b.as_ptr() as usize == at);
        assert!(reused.is_some_and(Vec::is_empty), "taken again, and empty");
    }

    #[test]
    fn small_buffers_are_left_to_the_allocator() {
        drop(share(vec![1u8; 100]));
        assert!(crate::lock(&POOL).iter().all(|b| b.capacity() >= MIN));
    }
}
