//! Turns the push hub's feed into a server-sent-events stream, keeping only the events a
//! subscriber may see (its own calls, or its own offers in companies with notifications on).
//! A subscriber that resumes (`Last-Event-ID`, or `?after=`) first gets the retained updates
//! it missed.

use std::convert::Infallible;

use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::Event;
use futures_util::Stream;
use tokio::sync::broadcast;

use super::error::ApiError;
use crate::calls::{PushEvent, Subscription};

/// Where a resuming subscriber left off: the `Last-Event-ID` header, else `after`.
pub(super) fn resume_point(
    headers: &HeaderMap,
    after: Option<u64>,
) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(after);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or(ApiError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_last_event_id",
            message: "Last-Event-ID is not an event id of this stream".into(),
            hint: "send the `id:` of the last event received (a decimal seq), or none",
        })
}

fn sse(event: &PushEvent) -> Event {
    let data = serde_json::json!({ "seq": event.seq, "update": event.update });
    Event::default()
        .event("call")
        .id(event.seq.to_string())
        .data(data.to_string())
}

/// An SSE stream of the events `keep` accepts: the subscription's backlog, then its live
/// feed. Lagging subscribers get an `event: lagged` line with how many events they missed,
/// then continue.
pub(super) fn events(
    subscription: Subscription,
    keep: impl Fn(&PushEvent) -> bool + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    events_as(subscription, keep, sse)
}

/// As [`events`], each event written by `render`.
pub(super) fn events_as(
    subscription: Subscription,
    keep: impl Fn(&PushEvent) -> bool + Send + 'static,
    render: impl Fn(&PushEvent) -> Event + Send + Sync + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let Subscription { backlog, live } = subscription;
    let backlog: Vec<Result<Event, Infallible>> = backlog
        .into_iter()
        .filter(|e| keep(e))
        .map(|e| Ok(render(&e)))
        .collect();
    let replay = futures_util::stream::iter(backlog);
    let feed =
        futures_util::stream::unfold((live, keep, render), |(mut rx, keep, render)| async move {
            loop {
                match rx.recv().await {
                    Ok(event) if keep(&event) => {
                        let sse = render(&event);
                        return Some((Ok(sse), (rx, keep, render)));
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        let sse = Event::default().event("lagged").data(n.to_string());
                        return Some((Ok(sse), (rx, keep, render)));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
    futures_util::StreamExt::chain(replay, feed)
}
