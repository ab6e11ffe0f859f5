//! Taps on the byte streams: the source is hashed (SM3), counted and held to its size limit as
//! it is read; the Parquet output is hashed and counted as it is written. Nothing is read or
//! written twice for a digest.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::rc::Rc;

use sm3::{Digest, Sm3};

/// What the source tap has seen so far; shared with the pipeline for progress.
pub(crate) struct TapState {
    pub(crate) bytes: u64,
    pub(crate) limit: Option<u64>,
    pub(crate) exceeded: bool,
    hasher: Sm3,
}

impl TapState {
    pub(crate) fn digest_hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

/// Raised (inside an `io::Error`) when the source grows past its limit.
#[derive(Debug, thiserror::Error)]
#[error("the source is larger than {limit} bytes")]
pub(crate) struct LimitExceeded {
    pub(crate) limit: u64,
}

/// A reader that hashes, counts and limits everything read through it.
pub(crate) struct SourceTap<R> {
    inner: R,
    state: Rc<RefCell<TapState>>,
}

impl<R: Read> SourceTap<R> {
    pub(crate) fn new(inner: R, limit: Option<u64>) -> (Self, Rc<RefCell<TapState>>) {
        let state = Rc::new(RefCell::new(TapState {
            bytes: 0,
            limit,
            exceeded: false,
            hasher: Sm3::new(),
        }));
        (
            Self {
                inner,
                state: Rc::clone(&state),
            },
            state,
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
        state.hasher.update(&buf[..n]);
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
        let data = vec![7u8; 10_000];
        let (mut tap, state) = SourceTap::new(&data[..], None);
        io::copy(&mut tap, &mut io::sink()).unwrap();
        assert_eq!(state.borrow().bytes, 10_000);
        assert_eq!(state.borrow().digest_hex(), hex::encode(Sm3::digest(&data)));

        let (mut tap, state) = SourceTap::new(&data[..], Some(4_096));
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
