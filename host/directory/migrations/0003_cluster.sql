-- Version 3: several nodes serving one database at once (`switchyard serve --cluster`).
--
-- `nodes`: every serving node, its advertised URL and a heartbeat on the database's clock; a
-- node whose heartbeat is older than the cluster's timeout is dead, and exactly one live node
-- adopts its calls (`adopted_by`, set by a conditional update).
CREATE TABLE nodes (
    id BIGINT PRIMARY KEY,
    url TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    heartbeat_ms BIGINT NOT NULL,
    adopted_by BIGINT
);

-- `agent_live`: each agent's live state, shared by every node. The one-live-call rule is a
-- conditional update of this row (an agent is reserved only while `call_ref` is null, or its
-- wrap-up is over), so two nodes can never book one agent twice. `phase`: 0 offered (`phase_ms`
-- the offer's expiry), 1 on the call (`phase_ms` when answered), 2 wrap-up (`phase_ms` its end);
-- `node` is the node that owns the call.
CREATE TABLE agent_live (
    agent BIGINT PRIMARY KEY,
    logged_in BOOLEAN NOT NULL DEFAULT FALSE,
    free_since_ms BIGINT NOT NULL DEFAULT 0,
    company BIGINT,
    call_ref BIGINT,
    phase SMALLINT,
    phase_ms BIGINT,
    node BIGINT,
    CHECK ((call_ref IS NULL) = (phase IS NULL))
);
CREATE INDEX agent_live_by_node ON agent_live (node) WHERE node IS NOT NULL;

-- `agent_day`: each agent's counters of today in each company (its local day).
CREATE TABLE agent_day (
    company BIGINT NOT NULL,
    agent BIGINT NOT NULL,
    day INT NOT NULL,
    calls INT NOT NULL,
    talk_ms BIGINT NOT NULL,
    PRIMARY KEY (company, agent)
);

-- `call_owners`: which node holds each live call, so an event posted to any node reaches it,
-- and a platform's call id is live at most once in the cluster.
CREATE TABLE call_owners (
    platform BIGINT NOT NULL,
    call_id TEXT NOT NULL,
    call_ref BIGINT NOT NULL UNIQUE,
    node BIGINT NOT NULL,
    PRIMARY KEY (platform, call_id)
);
CREATE INDEX call_owners_by_node ON call_owners (node);

-- `cluster_revision`: grows with every directory write (in its transaction) and every policy
-- activation. A cluster node reads it before each decision and, when it moved, drops its
-- directory caches and reloads the active policies, so a change made on one node is seen by
-- every node's next decision.
CREATE TABLE cluster_revision (
    id INT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO cluster_revision (id, n) VALUES (1, 0);

-- `cluster_pushes`: every node's pushed updates in one order (`pos`, numbered under an
-- advisory lock so rows commit in order), read by every node for its stream subscribers.
CREATE TABLE cluster_pushes (
    pos BIGINT PRIMARY KEY,
    node BIGINT NOT NULL,
    body BYTEA NOT NULL
);

-- `cluster_queue`: the queued calls of every node (kept by the node that holds each), so a
-- node offers a freed agent its own queued call only when no node holds one ahead of it in
-- serving order (higher priority, then older) in the departments that agent serves.
CREATE TABLE cluster_queue (
    call_ref BIGINT PRIMARY KEY,
    node BIGINT NOT NULL,
    company BIGINT NOT NULL,
    department BIGINT NOT NULL,
    priority SMALLINT NOT NULL,
    since_ms BIGINT NOT NULL
);
CREATE INDEX cluster_queue_by_department ON cluster_queue (company, department, priority DESC, since_ms);
