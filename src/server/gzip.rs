//! Gzip made of independently compressed chunks, kept by content between passes, so that
//! recompressing a large feed after one edit compresses only the chunks that changed.
//!
//! The file is cut where its content says (a rolling hash over the bytes), so an edit moves
//! the cuts only near itself. Each chunk is raw deflate ending in a sync flush (byte
//! aligned, no back-references across chunks); one gzip member wraps them all, its CRC-32
//! combined from the chunks' (the layout `pigz` uses for parallel compression).

use std::collections::HashMap;
use std::sync::Arc;

use flate2::{Compress, Compression, FlushCompress};

/// Chunks average about 48 KiB: small enough that an edit recompresses little, large
/// enough that compression barely suffers from the cuts.
const MIN_CHUNK: usize = 16 << 10;
const MAX_CHUNK: usize = 256 << 10;
/// A cut where these bits of the hash are clear: the high bits, which depend on the last
/// 64 bytes (the low ones only on the last few).
const MASK: u64 = ((1 << 15) - 1) << 49;

/// One chunk deflated, with what the trailer needs.
struct Deflated {
    bytes: Vec<u8>,
    crc: crc32fast::Hasher,
    len: usize,
}

/// Deflated chunks by content hash: those used by the last pass are kept for the next.
#[derive(Default)]
pub struct ChunkCache {
    prev: HashMap<blake3::Hash, Arc<Deflated>>,
    next: HashMap<blake3::Hash, Arc<Deflated>>,
}

impl ChunkCache {
    /// The gzip form of `data`, reusing chunks deflated before.
    pub fn gzip(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() / 4 + 64);
        // Header: magic, deflate, no flags, no time, no extra flags, unknown OS.
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        let mut crc = crc32fast::Hasher::new();
        for chunk in chunks(data) {
            let key = blake3::hash(chunk);
            let d = match self.next.get(&key).or_else(|| self.prev.get(&key)) {
                Some(d) => d.clone(),
                None => Arc::new(deflate(chunk)),
            };
            out.extend_from_slice(&d.bytes);
            crc.combine(&d.crc);
            debug_assert_eq!(d.len, chunk.len());
            self.next.insert(key, d);
        }
        // The last block: empty, fixed Huffman, final.
        out.extend_from_slice(&[0x03, 0x00]);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    /// Ends a pass: chunks it did not use are dropped.
    pub fn finish_pass(&mut self) {
        self.prev = std::mem::take(&mut self.next);
    }
}

/// Raw deflate of `chunk`, ending byte aligned with no final block.
fn deflate(chunk: &[u8]) -> Deflated {
    let mut c = Compress::new(Compression::new(6), false);
    // Room for incompressible input: the flush then finishes in one call.
    let mut bytes = Vec::with_capacity(chunk.len() + chunk.len() / 8 + 1024);
    let room = |bytes: &mut Vec<u8>| {
        if bytes.capacity() - bytes.len() < 1024 {
            bytes.reserve(chunk.len() / 4 + 1024);
        }
    };
    while (c.total_in() as usize) < chunk.len() {
        room(&mut bytes);
        let done = c.total_in() as usize;
        c.compress_vec(&chunk[done..], &mut bytes, FlushCompress::None)
            .expect("in-memory deflate");
    }
    // The sync flush is complete once a call leaves output room unused.
    loop {
        room(&mut bytes);
        c.compress_vec(&[], &mut bytes, FlushCompress::Sync)
            .expect("in-memory deflate");
        if bytes.capacity() > bytes.len() {
            break;
        }
    }
    let mut crc = crc32fast::Hasher::new();
    crc.update(chunk);
    Deflated {
        bytes,
        crc,
        len: chunk.len(),
    }
}

/// Cuts `data` where a rolling hash of the last bytes matches, within the size bounds.
fn chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = cut_point(rest);
        let (chunk, tail) = rest.split_at(cut);
        rest = tail;
        Some(chunk)
    })
}

fn cut_point(data: &[u8]) -> usize {
    if data.len() <= MIN_CHUNK {
        return data.len();
    }
    let end = data.len().min(MAX_CHUNK);
    let mut h: u64 = 0;
    for (i, &b) in data[..end].iter().enumerate().skip(MIN_CHUNK - 64) {
        h = (h << 1).wrapping_add(GEAR[b as usize]);
        if i >= MIN_CHUNK && h & MASK == 0 {
            return i + 1;
        }
    }
    end
}

/// Random 64-bit values per byte (splitmix64 from a fixed seed: the cuts must not change
/// between versions more than needed, and never between runs).
const GEAR: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut s: u64 = 0x6a6f_6266_6565_6421;
    let mut i = 0;
    while i < 256 {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        t[i] = z ^ (z >> 31);
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// Text that looks like a feed: repetitive markup around varying words.
    fn feed(items: usize, seed: u64) -> Vec<u8> {
        const WORDS: [&str; 8] = [
            "clusters", "automate", "upgrades", "network", "storage", "on-call", "Go", "Rust",
        ];
        let mut s = seed;
        let mut word = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            WORDS[(s >> 61) as usize]
        };
        (0..items)
            .map(|i| {
                let body: Vec<&str> = (0..40 + i % 60).map(|_| word()).collect();
                format!(
                    "<item><title>Job {i}</title><description>{}</description></item>\n",
                    body.join(" ")
                )
            })
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn chunked_gzip_decompresses_to_the_input_with_a_valid_trailer() {
        let mut cache = ChunkCache::default();
        for data in [Vec::new(), b"x".to_vec(), feed(10, 1), feed(5000, 2)] {
            let gz = cache.gzip(&data);
            // The decoder checks the CRC-32 and length in the trailer.
            assert_eq!(gunzip(&gz), data);
        }
    }

    #[test]
    fn an_edit_reuses_every_chunk_away_from_it() {
        let mut cache = ChunkCache::default();
        let before = feed(5000, 3);
        cache.gzip(&before);
        cache.finish_pass();
        let n = cache.prev.len();
        assert!(
            n > 20,
            "a feed of {} bytes made only {n} chunks",
            before.len()
        );
        let mut after = before.clone();
        let at = after.len() / 2;
        after.splice(at..at, b"<p>Edited.</p>".iter().copied());
        let gz = cache.gzip(&after);
        assert_eq!(gunzip(&gz), after);
        let fresh = cache
            .next
            .keys()
            .filter(|k| !cache.prev.contains_key(*k))
            .count();
        assert!(
            fresh <= 2,
            "{fresh} of {n} chunks compressed again after one edit"
        );
        // Cutting costs little: within a few percent of one plain gzip stream.
        let plain =
            super::super::files::Entry::uncompressed("/f.xml", after.clone(), Default::default())
                .compressed();
        let whole = plain.gzip.unwrap().len() as f64;
        assert!(
            (gz.len() as f64) < whole * 1.05,
            "{} bytes chunked, {whole} whole",
            gz.len()
        );
    }

    #[test]
    fn a_pass_keeps_only_the_chunks_it_used() {
        let mut cache = ChunkCache::default();
        cache.gzip(&feed(3000, 4));
        cache.finish_pass();
        cache.gzip(b"small");
        cache.finish_pass();
        assert_eq!(cache.prev.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_round_trip(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100_000)) {
            let mut cache = ChunkCache::default();
            proptest::prop_assert_eq!(gunzip(&cache.gzip(&data)), data);
        }
    }
}
