//! Bridges between async HTTP bodies and the blocking I/O of the data plane: a file becomes a
//! response body sent in chunks, so a large download is never held in memory whole.

use std::io::{self, Read};

use axum::body::{Body, Bytes};

/// Bytes per chunk of a streamed file.
const CHUNK: usize = 64 * 1024;
/// Chunks read ahead of the client.
const AHEAD: usize = 4;

/// A response body that streams `file` from a blocking thread, a few chunks ahead of the
/// client; the thread stops when the client goes away.
pub(crate) fn file_body(file: std::fs::File) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        loop {
            let mut buf = vec![0; CHUNK];
            let sent = match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    tx.blocking_send(Ok(Bytes::from(buf)))
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            if sent.is_err() {
                return;
            }
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }))
}
