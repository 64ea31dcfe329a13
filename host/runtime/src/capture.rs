//! A small bounded in-memory pipe for a guest's stdout or stderr.
//!
//! Unlike wasmtime-wasi's `MemoryOutputPipe` it never reports the stream as full:
//! bytes beyond the capacity are counted and discarded, so a chatty policy keeps
//! running (Rust's `println!` would panic on a closed stdout) and its output simply
//! ends up truncated in the decision's logs.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// How many bytes a write may offer at once.
const WRITE_PERMIT: usize = 64 * 1024;

/// Shared handle to one captured stream; clones write to the same buffer.
#[derive(Clone, Debug)]
pub(crate) struct CapturePipe {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Debug)]
struct Captured {
    bytes: Vec<u8>,
    capacity: usize,
    lost: usize,
}

impl CapturePipe {
    /// A pipe keeping at most `capacity` bytes.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Captured {
                bytes: Vec::new(),
                capacity,
                lost: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Captured> {
        // Nothing can panic while the lock is held; recover the data regardless.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn append(&self, data: &[u8]) {
        let mut c = self.lock();
        let room = c.capacity.saturating_sub(c.bytes.len());
        let kept = data.len().min(room);
        c.bytes.extend_from_slice(&data[..kept]);
        c.lost += data.len() - kept;
    }

    /// The kept bytes and how many were discarded.
    pub(crate) fn take(&self) -> (Vec<u8>, usize) {
        let mut c = self.lock();
        let lost = std::mem::take(&mut c.lost);
        (std::mem::take(&mut c.bytes), lost)
    }

    /// The first kept line containing `needle`, if any.
    pub(crate) fn line_containing(&self, needle: &str) -> Option<String> {
        let c = self.lock();
        String::from_utf8_lossy(&c.bytes)
            .lines()
            .find(|l| l.contains(needle))
            .map(str::to_owned)
    }
}

impl IsTerminal for CapturePipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturePipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for CapturePipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CapturePipe {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CapturePipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_capacity_and_counts_the_rest() {
        let mut pipe = CapturePipe::new(4);
        pipe.write(Bytes::from_static(b"abc")).unwrap();
        pipe.write(Bytes::from_static(b"def")).unwrap();
        assert_eq!(pipe.check_write().unwrap(), WRITE_PERMIT);
        assert_eq!(pipe.line_containing("bc").as_deref(), Some("abcd"));
        assert_eq!(pipe.take(), (b"abcd".to_vec(), 2));
    }
}
