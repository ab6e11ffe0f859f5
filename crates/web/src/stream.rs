//! Bridges between async HTTP bodies and the blocking I/O of the data plane: an upload body
//! becomes a [`std::io::Read`] that ingest pulls from on its blocking thread, so a
//! multi-gigabyte upload is never held in memory whole, only a chunk at a time.

use std::io::{self, Read};

use axum::body::{Body, BodyDataStream, Bytes};
use futures_util::StreamExt;
use tokio::runtime::Handle;

/// A request body read as a blocking `Read`. Each read waits on the runtime for the next chunk
/// the client sends, so it must be used on a blocking thread (`spawn_blocking`), never on an
/// async worker, where waiting would stall the runtime (tokio refuses it with a panic).
pub(crate) struct BodyReader {
    stream: BodyDataStream,
    runtime: Handle,
    chunk: Bytes,
}

impl BodyReader {
    /// Must be called on the runtime (in a handler): the reader keeps its handle.
    pub(crate) fn new(body: Body) -> Self {
        Self {
            stream: body.into_data_stream(),
            runtime: Handle::current(),
            chunk: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.chunk.is_empty() {
            match self.runtime.block_on(self.stream.next()) {
                Some(Ok(chunk)) => self.chunk = chunk,
                // The client went away or sent a malformed body: the ingest reports a read
                // error, and nothing is kept.
                Some(Err(e)) => return Err(io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}
