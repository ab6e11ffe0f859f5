//! Taps on the byte streams: the source is counted and held to its size limit as it is read,
//! and its bytes are hashed (SM3) on a helper thread; the Parquet output is hashed and counted
//! as it is written. Nothing is read or written twice for a digest.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use sm3::{Digest, Sm3};

/// Source bytes are handed to the hashing thread in chunks of about this size.
const CHUNK: usize = 256 * 1024;

/// Chunks queued for the hashing thread (32 MiB). The reader, the hasher and the Parquet
/// writer share two cores; a deep queue lets the hasher keep working while the reader is
/// descheduled and the reader run ahead while the hasher is, instead of either idling on a
/// full or empty queue.
const QUEUED_CHUNKS: usize = 128;

/// What the source tap has seen so far; shared with the pipeline for progress.
pub(crate) struct TapState {
    pub(crate) bytes: u64,
    pub(crate) limit: Option<u64>,
    pub(crate) exceeded: bool,
    pending: Vec<u8>,
    hasher: Option<SyncSender<Vec<u8>>>,
}

impl TapState {
    /// Hands the last bytes to the hashing thread and closes its channel, so it can finish.
    pub(crate) fn close(&mut self) {
        if let Some(tx) = self.hasher.take()
            && !self.pending.is_empty()
        {
            let _ = tx.send(std::mem::take(&mut self.pending));
        }
    }
}

/// Hashes the chunks it receives until the channel closes; returns the SM3 digest in hex.
pub(crate) fn hash_chunks(chunks: Receiver<Vec<u8>>) -> String {
    let mut hasher = Sm3::new();
    for chunk in chunks {
        hasher.update(&chunk);
    }
    hex::encode(hasher.finalize())
}

/// Raised (inside an `io::Error`) when the source grows past its limit.
#[derive(Debug, thiserror::Error)]
#[error("the source is larger than {limit} bytes")]
pub(crate) struct LimitExceeded {
    pub(crate) limit: u64,
}

/// A reader that counts and limits everything read through it and sends it to be hashed.
pub(crate) struct SourceTap<R> {
    inner: R,
    state: Rc<RefCell<TapState>>,
}

impl<R: Read> SourceTap<R> {
    /// The tap, its shared state, and the receiving end for [`hash_chunks`].
    pub(crate) fn new(
        inner: R,
        limit: Option<u64>,
    ) -> (Self, Rc<RefCell<TapState>>, Receiver<Vec<u8>>) {
        let (tx, rx) = sync_channel(QUEUED_CHUNKS);
        let state = Rc::new(RefCell::new(TapState {
            bytes: 0,
            limit,
            exceeded: false,
            pending: Vec::with_capacity(CHUNK),
            hasher: Some(tx),
        }));
        (
            Self {
                inner,
                state: Rc::clone(&state),
            },
            state,
            rx,
        )
    }
}

impl<R: Read> Read for SourceTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.borrow_mut();
        state.bytes += n as u64;
        if let Some(limit) = state.limit
            && state.bytes > limit
        {
            state.exceeded = true;
            return Err(io::Error::other(LimitExceeded { limit }));
        }
        state.pending.extend_from_slice(&buf[..n]);
        if state.pending.len() >= CHUNK {
            let chunk = std::mem::replace(&mut state.pending, Vec::with_capacity(CHUNK));
            if let Some(tx) = &state.hasher {
                tx.send(chunk)
                    .map_err(|_| io::Error::other("the hashing thread stopped"))?;
            }
        }
        Ok(n)
    }
}

/// A writer that hashes and counts everything written through it.
pub(crate) struct DigestWriter<W> {
    inner: W,
    bytes: u64,
    hasher: Sm3,
}

impl<W: Write> DigestWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            bytes: 0,
            hasher: Sm3::new(),
        }
    }

    /// The bytes written and their SM3 digest (lowercase hex).
    pub(crate) fn finish(self) -> (u64, String) {
        (self.bytes, hex::encode(self.hasher.finalize()))
    }
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tap_hashes_what_passes_and_stops_at_the_limit() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::thread::scope(|s| {
            let (mut tap, state, rx) = SourceTap::new(&data[..], None);
            let hasher = s.spawn(move || hash_chunks(rx));
            io::copy(&mut tap, &mut io::sink()).unwrap();
            state.borrow_mut().close();
            assert_eq!(state.borrow().bytes, 1_000_000);
            assert_eq!(hasher.join().unwrap(), hex::encode(Sm3::digest(&data)));
        });

        let (mut tap, state, _rx) = SourceTap::new(&data[..], Some(4_096));
        let err = io::copy(&mut tap, &mut io::sink()).unwrap_err();
        assert!(err.get_ref().unwrap().is::<LimitExceeded>());
        assert!(state.borrow().exceeded);
    }

    #[test]
    fn sm3_of_abc_is_the_standard_vector() {
        let mut w = DigestWriter::new(Vec::new());
        w.write_all(b"abc").unwrap();
        let (n, hex) = w.finish();
        assert_eq!(n, 3);
        assert_eq!(
            hex,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
