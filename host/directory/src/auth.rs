//! Authentication: a bearer secret → its stored scope → the [`Principal`], and the operator
//! token created on first start.

use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::model::AgentState;
use crate::principal::{Principal, Scope};
use crate::store::Change;
use crate::token::{MIN_CONFIGURED_TOKEN, TokenHash, TokenRecord, generate_secret, now_ms};

/// What [`Directory::bootstrap_operator`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// The database already had an operator token (or the configured one was already stored).
    Existing,
    /// The configured token was stored as an operator token.
    Configured,
    /// The database was empty: a new operator token was created; show it to the operator once.
    Generated(String),
}

impl Directory {
    /// The principal a bearer secret stands for; `None` if no such token exists.
    /// Served from the [`crate::auth_cache::PrincipalCache`] while the directory is unchanged.
    pub fn authenticate(&self, secret: &str) -> Result<Option<Principal>> {
        let hash = TokenHash::of(secret);
        // Read before the store, so a write committed meanwhile empties what this read caches.
        let generation = self.generation();
        if let Some(principal) = self.principals().get(generation, &hash) {
            return Ok(Some(principal));
        }
        let principal = self.principal_of(&hash)?;
        if let Some(principal) = &principal {
            self.principals().put(generation, hash, principal.clone());
        }
        Ok(principal)
    }

    fn principals(&self) -> std::sync::MutexGuard<'_, crate::auth_cache::PrincipalCache> {
        self.principals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The principal of a stored token, read from the store.
    fn principal_of(&self, hash: &TokenHash) -> Result<Option<Principal>> {
        let Some(record) = self.store.token(hash)? else {
            return Ok(None);
        };
        Ok(Some(match record.scope {
            Scope::Operator => Principal::Operator,
            Scope::Manager { account_id } => Principal::Manager {
                account: account_id,
            },
            Scope::CompanyAdmin { company_id } => Principal::CompanyAdmin {
                company: company_id,
            },
            Scope::Telephony { numbers } => Principal::Telephony {
                token: record.id,
                numbers,
            },
            Scope::Agent { agent_id } => match self.store.agent(agent_id)? {
                Some(a) if a.state == AgentState::Activated => Principal::Agent { agent: agent_id },
                Some(_) => Principal::InvitedAgent { agent: agent_id },
                None => return Ok(None),
            },
        }))
    }

    /// Makes sure an operator token exists. With `configured`, that secret is (also) accepted
    /// as an operator token; otherwise, on a database without any operator token, a new one is
    /// generated and returned once.
    pub fn bootstrap_operator(&self, configured: Option<&str>) -> Result<Bootstrap> {
        if let Some(secret) = configured
            && secret.len() < MIN_CONFIGURED_TOKEN
        {
            return Err(DirectoryError::invalid(
                "weak_operator_token",
                format!(
                    "the configured operator token has {} characters",
                    secret.len()
                ),
                format!(
                    "use at least {MIN_CONFIGURED_TOKEN} random characters, or leave it out to have one generated"
                ),
            ));
        }
        self.write(|store, changes| match configured {
            Some(secret) => {
                if store.token(&TokenHash::of(secret))?.is_some() {
                    return Ok(Bootstrap::Existing);
                }
                let record = operator_record(store.next_id()?);
                changes.push(Change::PutToken(TokenHash::of(secret), record));
                Ok(Bootstrap::Configured)
            }
            None => {
                if has_operator_token(store)? {
                    return Ok(Bootstrap::Existing);
                }
                let secret = generate_secret()?;
                let record = operator_record(store.next_id()?);
                changes.push(Change::PutToken(TokenHash::of(&secret), record));
                Ok(Bootstrap::Generated(secret))
            }
        })
    }
}

fn operator_record(id: u64) -> TokenRecord {
    TokenRecord {
        id,
        scope: Scope::Operator,
        label: Some("bootstrap".to_owned()),
        created_ms: now_ms(),
    }
}

fn has_operator_token(store: &dyn crate::store::Store) -> Result<bool> {
    let mut after = 0;
    loop {
        let page = store.tokens(after, 200)?;
        if page.iter().any(|t| t.scope == Scope::Operator) {
            return Ok(true);
        }
        match page.last() {
            Some(last) => after = last.id,
            None => return Ok(false),
        }
    }
}
