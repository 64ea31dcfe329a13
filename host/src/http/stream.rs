//! Turns the push hub's broadcast into a server-sent-events stream, keeping only the events a
//! subscriber may see (its numbers, or its own offers in companies with notifications on).

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::Event;
use futures_util::Stream;
use tokio::sync::broadcast;

use crate::calls::PushEvent;

/// An SSE stream of the events `keep` accepts. Lagging subscribers get an `event: lagged`
/// line with how many events they missed, then continue.
pub(super) fn events(
    rx: broadcast::Receiver<Arc<PushEvent>>,
    keep: impl Fn(&PushEvent) -> bool + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    futures_util::stream::unfold((rx, keep), |(mut rx, keep)| async move {
        loop {
            match rx.recv().await {
                Ok(event) if keep(&event) => {
                    let data = serde_json::json!({ "seq": event.seq, "update": event.update });
                    let sse = Event::default()
                        .event("call")
                        .id(event.seq.to_string())
                        .data(data.to_string());
                    return Some((Ok(sse), (rx, keep)));
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    let sse = Event::default().event("lagged").data(n.to_string());
                    return Some((Ok(sse), (rx, keep)));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}
