//! `switchyard kamailio-bridge`: relays the later decisions about a SIP server's calls (a
//! queued call offered, a queue timing out into overflow, a lapsed offer) from
//! `GET /v1/kamailio/stream` to Kamailio's `evapi` socket, one netstring per update.
//!
//! Why a bridge: Kamailio speaks neither server-sent events nor any long-lived HTTP, but its
//! `evapi` module accepts TCP peers whose messages run `event_route[evapi:message-received]`,
//! where the configuration resumes the suspended transaction of a queued call (`t_continue`):
//! no SIP worker waits while a caller is queued. The bridge runs beside Kamailio, holds no
//! state but the last update it delivered, reconnects to both sides by itself, and resumes the
//! stream with `Last-Event-ID` so nothing decided while it reconnected is skipped. When it
//! starts it replays what Switchyard retains (`--after 0`), so a restart of the bridge loses
//! nothing either. Updates may thus arrive twice or late: the configuration acts only on those
//! for calls it holds queued, of a later step than their queue answer.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::config::BridgeConfig;

/// Longest pause between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The stream sends a keep-alive every 15 s: this long without a byte means it is gone.
const STREAM_IDLE: Duration = Duration::from_secs(45);

/// What stops the bridge for a while (it logs it and reconnects).
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The stream request failed or broke.
    #[error("Switchyard stream: {0}")]
    Http(#[source] reqwest::Error),
    /// Switchyard refused the stream.
    #[error("Switchyard answered {status}: {body}")]
    Refused {
        /// HTTP status.
        status: reqwest::StatusCode,
        /// The JSON error body.
        body: String,
    },
    /// No byte for longer than the keep-alive interval allows.
    #[error("the stream was silent for {0:?}")]
    Silent(Duration),
    /// Kamailio's evapi socket could not be reached or written.
    #[error("evapi {addr}: {source}")]
    Evapi {
        /// The evapi address.
        addr: String,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
}

/// One server-sent event, as far as the bridge cares.
#[derive(Debug, Default, PartialEq)]
struct SseEvent {
    event: String,
    id: Option<u64>,
    data: String,
}

/// Splits a server-sent-events byte stream into events.
#[derive(Default)]
struct SseParser {
    buffer: Vec<u8>,
    current: SseEvent,
}

impl SseParser {
    /// Feeds bytes; returns the events they completed.
    fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.buffer.extend_from_slice(bytes);
        let mut done = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                let event = std::mem::take(&mut self.current);
                if !event.data.is_empty() || !event.event.is_empty() {
                    done.push(event);
                }
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.current.event = value.to_owned(),
                "id" => self.current.id = value.parse().ok(),
                "data" => {
                    if !self.current.data.is_empty() {
                        self.current.data.push('\n');
                    }
                    self.current.data.push_str(value);
                }
                _ => {} // comments (keep-alives) and unknown fields
            }
        }
        done
    }
}

/// `message` as a netstring (`<length>:<bytes>,`), evapi's framing.
fn netstring(message: &str) -> Vec<u8> {
    format!("{}:{message},", message.len()).into_bytes()
}

/// The relay: the stream's position and the evapi connection.
struct Bridge {
    config: BridgeConfig,
    client: reqwest::Client,
    /// The last update delivered to Kamailio.
    last_seq: Option<u64>,
    evapi: Option<TcpStream>,
}

impl Bridge {
    async fn evapi(&mut self) -> Result<&mut TcpStream, BridgeError> {
        if self.evapi.is_none() {
            let stream = TcpStream::connect(&self.config.evapi)
                .await
                .map_err(|source| BridgeError::Evapi {
                    addr: self.config.evapi.clone(),
                    source,
                })?;
            tracing::info!(evapi = %self.config.evapi, "connected to Kamailio's evapi");
            self.evapi = Some(stream);
        }
        self.evapi.as_mut().ok_or_else(|| BridgeError::Evapi {
            addr: self.config.evapi.clone(),
            source: std::io::Error::other("not connected"),
        })
    }

    /// Delivers one update; on a broken socket reconnects once and sends it again.
    async fn deliver(&mut self, data: &str) -> Result<(), BridgeError> {
        let frame = netstring(data);
        for attempt in 0..2 {
            let addr = self.config.evapi.clone();
            let socket = self.evapi().await?;
            match socket.write_all(&frame).await {
                Ok(()) => return Ok(()),
                Err(source) => {
                    self.evapi = None;
                    if attempt == 1 {
                        return Err(BridgeError::Evapi { addr, source });
                    }
                    tracing::warn!(error = %source, "evapi write failed, reconnecting");
                }
            }
        }
        Ok(())
    }

    /// Follows the stream until it breaks.
    async fn follow(&mut self) -> Result<(), BridgeError> {
        let url = format!(
            "{}/v1/kamailio/stream",
            self.config.url.trim_end_matches('/')
        );
        let mut request = self
            .client
            .get(&url)
            .bearer_auth(&self.config.token)
            .header("accept", "text/event-stream");
        if let Some(seq) = self.last_seq {
            request = request.header("last-event-id", seq.to_string());
        }
        let mut response = request.send().await.map_err(BridgeError::Http)?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            return Err(BridgeError::Refused { status, body });
        }
        tracing::info!(url = %url, after = ?self.last_seq, "following the Switchyard stream");
        // Kamailio must be reachable before updates are taken off the stream.
        self.evapi().await?;
        let mut parser = SseParser::default();
        loop {
            let chunk = tokio::time::timeout(STREAM_IDLE, response.chunk())
                .await
                .map_err(|_| BridgeError::Silent(STREAM_IDLE))?
                .map_err(BridgeError::Http)?;
            let Some(chunk) = chunk else {
                return Ok(());
            };
            for event in parser.feed(&chunk) {
                match event.event.as_str() {
                    "call" => {
                        self.deliver(&event.data).await?;
                        if event.id.is_some() {
                            self.last_seq = event.id;
                        }
                        tracing::debug!(seq = ?event.id, "update relayed");
                    }
                    "lagged" => tracing::warn!(
                        missed = %event.data,
                        "the bridge fell behind and missed updates; Kamailio's held calls may need GET /v1/calls"
                    ),
                    _ => {}
                }
            }
        }
    }
}

/// Runs the bridge until `shutdown` resolves, reconnecting whatever breaks.
pub async fn run(config: BridgeConfig, shutdown: impl std::future::Future<Output = ()>) {
    let client = match reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not build the HTTP client");
            return;
        }
    };
    let mut bridge = Bridge {
        last_seq: Some(config.after),
        config,
        client,
        evapi: None,
    };
    let work = async {
        let mut backoff = Duration::from_millis(100);
        loop {
            match bridge.follow().await {
                Ok(()) => {
                    tracing::warn!("the Switchyard stream ended; reconnecting");
                    backoff = Duration::from_millis(100);
                }
                Err(e) => tracing::warn!(error = %e, "bridge interrupted; reconnecting"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    };
    tokio::select! {
        () = work => {}
        () = shutdown => tracing::info!("bridge stopped"),
    }
}

#[cfg(test)]
mod tests {
    use super::{SseEvent, SseParser, netstring};

    #[test]
    fn events_are_split_across_chunks_and_keep_alives_skipped() {
        let mut p = SseParser::default();
        assert!(
            p.feed(b": keep-alive\n\nevent: call\nid: 7\r\ndata: {\"a\"")
                .is_empty()
        );
        let events = p.feed(b":1}\n\n");
        assert_eq!(
            events,
            vec![SseEvent {
                event: "call".into(),
                id: Some(7),
                data: "{\"a\":1}".into()
            }]
        );
    }

    #[test]
    fn netstrings_count_bytes() {
        assert_eq!(netstring("é{}"), b"4:\xc3\xa9{},".to_vec());
    }
}
