//! Forwarding to the node that holds a call. A load balancer may send a call's events to any
//! node; the node that took the call keeps its live state, so another node passes the request
//! on to it (with the caller's own credentials, which the owner checks again) and answers
//! with what the owner answered. A forwarded request is never forwarded again.

use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use switchyard_directory::AgentId;

use super::ApiError;
use crate::app::AppState;
use crate::calls::Phase;
use crate::cluster::owners::Holder;
use crate::cluster::{ClusterNode, FORWARD_TIMEOUT};

/// The header a forwarded request carries (the node it came from).
pub const FORWARDED: &str = "x-switchyard-forwarded-by";

/// A request about `platform`'s call `call_id`, to forward when another node holds the call.
pub struct ToOwner<'a, B> {
    /// The platform (the caller's token).
    pub platform: u64,
    /// The call.
    pub call_id: &'a str,
    /// The caller's headers (its credentials are passed on).
    pub headers: &'a HeaderMap,
    /// `GET` without a body, or `POST` with this one.
    pub body: Option<&'a B>,
    /// The path on the owner, such as `/v1/calls/{call_id}/events`.
    pub path: String,
}

impl<B: Serialize> ToOwner<'_, B> {
    /// The owner's answer when another node holds the call; `None` when this node should
    /// answer (not a cluster, the call is here or nowhere, or the request was forwarded).
    /// While this node is adopting a dead node's calls, a call it holds in the database but
    /// has not made live yet answers `503 call_owner_unavailable` (retry), not 404.
    pub async fn send<T: DeserializeOwned>(self, state: &AppState) -> Result<Option<T>, ApiError> {
        let Some(node) = state.cluster() else {
            return Ok(None);
        };
        let forwarded = self.headers.contains_key(FORWARDED);
        let adopting = node.standing.adopting();
        if (forwarded && !adopting) || state.calls().live(self.platform, self.call_id).is_some() {
            return Ok(None);
        }
        let owners = node.owners.clone();
        let (platform, call_id) = (self.platform, self.call_id.to_owned());
        let holder = tokio::task::spawn_blocking(move || owners.holder(platform, &call_id))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Directory(switchyard_directory::DirectoryError::Storage(e)))?;
        // Read again: a claim may have committed while the holder was looked up.
        let adopting = adopting || node.standing.adopting();
        match holder {
            Some(Holder::Here)
                if adopting && state.calls().live(self.platform, self.call_id).is_none() =>
            {
                Err(ApiError::OwnerUnavailable(format!(
                    "call {} is being taken over from a node that stopped answering",
                    self.call_id
                )))
            }
            Some(Holder::Elsewhere(url)) if !forwarded => {
                let body = self.body.map(|b| (reqwest::Method::POST, b));
                send(node, &url, &self.path, self.headers, body)
                    .await
                    .map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// Asks every other node serving now for `path` (`GET`, or `POST` with `body`) with the
/// caller's credentials, all at once, each answering for its own calls; their answers, parsed
/// (the first failure if any failed). None when
/// this node is not one of a cluster or the request was itself forwarded.
pub async fn ask_peers<B: Serialize, T: DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    body: Option<&B>,
) -> Result<Vec<T>, ApiError> {
    let Some(node) = state.cluster() else {
        return Ok(Vec::new());
    };
    if headers.contains_key(FORWARDED) {
        return Ok(Vec::new());
    }
    let (pg, me) = (std::sync::Arc::clone(&node.pg), node.id);
    let peers = tokio::task::spawn_blocking(move || crate::cluster::members::peers(&pg, me))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Directory(switchyard_directory::DirectoryError::Storage(e)))?;
    // All at once: one slow peer costs its own timeout, not the sum of everyone's.
    futures_util::future::try_join_all(peers.iter().map(|url| {
        let body = body.map(|b| (reqwest::Method::POST, b));
        send(node, url, path, headers, body)
    }))
    .await
}

/// A request about `agent`'s engagement (an administrator's release, the agent logging out),
/// forwarded as `method` with `body` to the node holding the call the agent is engaged with
/// (only offered, with `offers_only`) when another node holds it; `None`: this node answers.
pub async fn to_owner_of_agents_call<B: Serialize, T: DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    agent: AgentId,
    offers_only: bool,
    (method, path, body): (reqwest::Method, &str, &B),
) -> Result<Option<T>, ApiError> {
    let Some(node) = state.cluster() else {
        return Ok(None);
    };
    if headers.contains_key(FORWARDED) {
        return Ok(None);
    }
    let (calls, owners) = (state.calls(), node.owners.clone());
    let owner = tokio::task::spawn_blocking(move || match calls.registry().get(agent).engagement {
        Some(e)
            if calls.live_by_ref(e.call).is_none()
                && (!offers_only || matches!(e.phase, Phase::Offered { .. })) =>
        {
            owners.holder_by_ref(e.call)
        }
        _ => Ok(None),
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Directory(switchyard_directory::DirectoryError::Storage(e)))?;
    match owner {
        Some(Holder::Elsewhere(url)) => send(node, &url, path, headers, Some((method, body)))
            .await
            .map(Some),
        // The agent's call is this node's but not live here: it is being adopted.
        Some(Holder::Here) if node.standing.adopting() => Err(ApiError::OwnerUnavailable(format!(
            "agent {agent}'s call is being taken over from a node that stopped answering"
        ))),
        _ => Ok(None),
    }
}

/// Sends one forwarded request to the node at `url` and reads its answer: parsed on success,
/// the node's error relayed as it answered it otherwise.
async fn send<B: Serialize, T: DeserializeOwned>(
    node: &ClusterNode,
    url: &str,
    path: &str,
    headers: &HeaderMap,
    body: Option<(reqwest::Method, &B)>,
) -> Result<T, ApiError> {
    let target = format!("{}{path}", url.trim_end_matches('/'));
    let mut request = match body {
        Some((method, body)) => node.client.request(method, &target).json(body),
        None => node.client.get(&target),
    }
    .timeout(FORWARD_TIMEOUT)
    .header(FORWARDED, node.id.to_string());
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        request = request.header(header::AUTHORIZATION, auth.clone());
    }
    let answer = request.send().await.map_err(|e| {
        tracing::warn!(node = %url, error = %e, "another node did not answer a forwarded request");
        ApiError::OwnerUnavailable(e.to_string())
    })?;
    let status =
        StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = answer
        .bytes()
        .await
        .map_err(|e| ApiError::OwnerUnavailable(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::Internal(format!("unreadable answer from {url}: {e}")));
    }
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    Err(ApiError::Relayed {
        status,
        code: field("error"),
        message: field("message"),
        hint: field("hint"),
    })
}
