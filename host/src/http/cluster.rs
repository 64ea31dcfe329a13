//! `GET /v1/cluster/nodes` (operator): the nodes of a cluster serving one PostgreSQL database
//! (`--cluster`), whether each is serving, silent, gone or adopted, and by whom.

use axum::extract::State;
use serde::Serialize;
use switchyard_directory::Principal;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use crate::cluster::members::Member;

use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(nodes))
}

/// The cluster as this node sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterNodes {
    /// Whether this node is one of a cluster (`--cluster`); when not, `nodes` is empty.
    pub cluster: bool,
    /// This node's id.
    pub this_node: Option<u64>,
    /// Every node that joined, oldest first.
    pub nodes: Vec<Member>,
}

/// The cluster's nodes (operator only): id, advertised URL, state (`serving`, `silent`,
/// `gone`, `adopted`), heartbeat age and the node that adopted each one's calls.
#[utoipa::path(get, path = "/v1/cluster/nodes", tag = "cluster",
    responses((status = 200, body = ClusterNodes), (status = "4XX", body = ErrorBody)))]
async fn nodes(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<axum::Json<ClusterNodes>, ApiError> {
    if !matches!(p, Principal::Operator) {
        return Err(ApiError::Forbidden {
            code: "operator_only",
            message: "the cluster's nodes are the operator's to see".into(),
            hint: "ask with the operator token as a bearer token".into(),
        });
    }
    let Some(node) = state.cluster().cloned() else {
        return Ok(axum::Json(ClusterNodes {
            cluster: false,
            this_node: None,
            nodes: Vec::new(),
        }));
    };
    let this_node = node.id;
    let nodes = state
        .blocking(move |_| {
            crate::cluster::members::list(&node.pg)
                .map_err(|e| ApiError::Directory(switchyard_directory::DirectoryError::Storage(e)))
        })
        .await?;
    Ok(axum::Json(ClusterNodes {
        cluster: true,
        this_node: Some(this_node),
        nodes,
    }))
}
