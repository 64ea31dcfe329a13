-- Switchyard schema, version 1: the tenant directory (its unique indexes as unique
-- constraints), the service's records (call logs, traces, policies, live state) as ordered
-- key/value trees, and the sequences ids are drawn from.
-- Records are JSON in BYTEA columns, exactly as the service encodes them; the columns beside
-- them are what a constraint or an index needs.

CREATE SEQUENCE directory_ids;
CREATE SEQUENCE record_seqs;

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    body BYTEA NOT NULL
);

CREATE TABLE companies (
    id BIGINT PRIMARY KEY,
    account_id BIGINT,
    sip_domain TEXT,
    body BYTEA NOT NULL,
    CONSTRAINT companies_sip_domain_key UNIQUE (sip_domain)
);
CREATE INDEX companies_by_account ON companies (account_id, id);

CREATE TABLE agents (
    id BIGINT PRIMARY KEY,
    body BYTEA NOT NULL
);

-- An e-mail or phone number (as `email:...` / `phone:...`) names one agent.
CREATE TABLE agent_identities (
    identity BYTEA NOT NULL,
    agent_id BIGINT NOT NULL,
    CONSTRAINT agent_identities_pkey PRIMARY KEY (identity)
);
CREATE INDEX agent_identities_by_agent ON agent_identities (agent_id);

CREATE TABLE memberships (
    company_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    extension BYTEA NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (company_id, agent_id),
    CONSTRAINT memberships_extension_key UNIQUE (company_id, extension)
);
CREATE INDEX memberships_by_agent ON memberships (agent_id, company_id);

CREATE TABLE departments (
    id BIGINT PRIMARY KEY,
    company_id BIGINT NOT NULL,
    body BYTEA NOT NULL
);
CREATE INDEX departments_by_company ON departments (company_id, id);

-- Numbers are keys in byte order (BYTEA), whatever the database's collation.
CREATE TABLE numbers (
    number BYTEA PRIMARY KEY,
    company_id BIGINT NOT NULL,
    body BYTEA NOT NULL
);
CREATE INDEX numbers_by_company ON numbers (company_id, number);

-- Tokens by the SHA-256 of their secret; an agent holds at most one.
CREATE TABLE tokens (
    hash BYTEA PRIMARY KEY,
    id BIGINT NOT NULL,
    agent_id BIGINT,
    body BYTEA NOT NULL,
    CONSTRAINT tokens_id_key UNIQUE (id),
    CONSTRAINT tokens_agent_key UNIQUE (agent_id)
);

-- The service's ordered key/value trees (switchyard_directory::RecordTree, by number).
CREATE TABLE records (
    tree SMALLINT NOT NULL,
    key BYTEA NOT NULL,
    value BYTEA NOT NULL,
    PRIMARY KEY (tree, key)
);
