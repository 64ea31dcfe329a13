//! Background thread that advances the engine's epoch so deadlines can fire.
//!
//! Each store sets its deadline in epoch ticks; this thread increments the epoch
//! every tick. It stops (and is joined) when the [`EpochTicker`] is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Owns the ticker thread; dropping it stops the thread.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts a thread incrementing `engine`'s epoch every `tick`.
    pub(crate) fn start(engine: wasmtime::Engine, tick: Duration) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let tick = tick.max(Duration::from_micros(100));
        let thread = std::thread::Builder::new()
            .name("switchyard-epoch".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || {
                    while !stop.load(Ordering::Acquire) {
                        std::thread::park_timeout(tick);
                        engine.increment_epoch();
                    }
                }
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            // A panic in the ticker cannot happen (it only increments a counter);
            // nothing useful could be done with one here anyway.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_ticker_stops_its_thread() {
        let engine = wasmtime::Engine::default();
        let ticker = EpochTicker::start(engine, Duration::from_millis(1)).unwrap();
        let stop = Arc::clone(&ticker.stop);
        drop(ticker);
        assert!(stop.load(Ordering::Acquire));
        // Only our clone is left: the thread's clone was dropped when it exited.
        assert_eq!(Arc::strong_count(&stop), 1);
    }
}
