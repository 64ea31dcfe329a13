//! Issuing, listing, rebinding and revoking tokens. Agent tokens come with the agent (and are
//! rotated via the agent); the rest are issued here.

use std::collections::BTreeSet;

use crate::access::{not_activated, require_operator};
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{NewToken, NewTokenScope};
use crate::page::{Page, PageRequest};
use crate::principal::{Principal, Scope};
use crate::store::{Change, Store};
use crate::token::{TokenHash, TokenRecord, generate_secret, now_ms};
use crate::validate::{self, MAX_TOKEN_NUMBERS};
use crate::view::IssuedToken;

impl Directory {
    /// Issues a token. The operator issues any scope; a manager issues manager tokens of its
    /// account and admin keys of its companies. The secret is returned once.
    pub fn create_token(&self, principal: &Principal, input: NewToken) -> Result<IssuedToken> {
        let label = input
            .label
            .as_deref()
            .map(|l| validate::name("label", l))
            .transpose()?;
        let scope = match input.scope {
            NewTokenScope::Operator {} => {
                require_operator(principal)?;
                Scope::Operator
            }
            NewTokenScope::Manager { account_id } => {
                self.account_for(principal, account_id)?;
                Scope::Manager { account_id }
            }
            NewTokenScope::CompanyAdmin { company_id } => {
                let company = self.store.company(company_id)?;
                let allowed = match (principal, &company) {
                    (Principal::Operator, Some(_)) => true,
                    (Principal::Manager { account }, Some(c)) => c.account_id == Some(*account),
                    (Principal::InvitedAgent { .. }, _) => return Err(not_activated()),
                    _ => false,
                };
                if !allowed {
                    return Err(match principal {
                        Principal::Operator | Principal::Manager { .. } => {
                            DirectoryError::not_found("company", company_id)
                        }
                        _ => manager_or_operator(),
                    });
                }
                Scope::CompanyAdmin { company_id }
            }
            NewTokenScope::Telephony { numbers } => {
                require_operator(principal)?;
                Scope::Telephony {
                    numbers: numbers_set(&numbers)?,
                }
            }
        };
        self.write(|store, changes| {
            let secret = generate_secret()?;
            let record = TokenRecord {
                id: store.next_id()?,
                scope,
                label,
                created_ms: now_ms(),
            };
            changes.push(Change::PutToken(TokenHash::of(&secret), record.clone()));
            Ok(IssuedToken {
                token: secret,
                record,
            })
        })
    }

    /// Lists tokens (operator); secrets are never stored, so never shown.
    pub fn list_tokens(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> Result<Page<TokenRecord>> {
        require_operator(principal)?;
        let limit = page.limit()?;
        let items = self.store.tokens(page.after_id()?, limit + 1)?;
        Ok(Page::from_fetched(items, limit, |t| t.id.to_string()))
    }

    /// Rebinds a telephony token to a new set of numbers (operator).
    pub fn set_token_numbers(
        &self,
        principal: &Principal,
        token_id: u64,
        numbers: &[String],
    ) -> Result<TokenRecord> {
        require_operator(principal)?;
        let numbers = numbers_set(numbers)?;
        self.write(|store, changes| {
            let (hash, mut record) = store
                .token_by_id(token_id)?
                .ok_or_else(|| DirectoryError::not_found("token", token_id))?;
            if !matches!(record.scope, Scope::Telephony { .. }) {
                return Err(DirectoryError::conflict(
                    "not_telephony",
                    format!("token {token_id} is not a telephony token"),
                    "only telephony tokens are bound to numbers",
                ));
            }
            record.scope = Scope::Telephony { numbers };
            changes.push(Change::PutToken(hash, record.clone()));
            Ok(record)
        })
    }

    /// Revokes a token (operator); the last operator token cannot be revoked.
    pub fn revoke_token(&self, principal: &Principal, token_id: u64) -> Result<()> {
        require_operator(principal)?;
        self.write(|store, changes| {
            let (hash, record) = store.token_by_id(token_id)?.ok_or_else(|| DirectoryError::not_found("token", token_id))?;
            if record.scope == Scope::Operator && count_operator_tokens(store)? < 2 {
                return Err(DirectoryError::conflict(
                    "last_operator_token",
                    "this is the last operator token",
                    "issue another operator token first (POST /v1/tokens {\"scope\": {\"kind\": \"operator\"}})",
                ));
            }
            changes.push(Change::DeleteToken(hash));
            Ok(())
        })
    }
}

fn numbers_set(numbers: &[String]) -> Result<BTreeSet<String>> {
    if numbers.len() > MAX_TOKEN_NUMBERS {
        return Err(DirectoryError::invalid(
            "too_many_numbers",
            format!("a telephony token is bound to at most {MAX_TOKEN_NUMBERS} numbers"),
            "split the numbers over several tokens",
        ));
    }
    numbers.iter().map(|n| validate::e164(n)).collect()
}

fn count_operator_tokens(store: &dyn Store) -> Result<usize> {
    let mut count = 0;
    let mut after = 0;
    loop {
        let page = store.tokens(after, 200)?;
        let Some(last) = page.last() else {
            return Ok(count);
        };
        after = last.id;
        count += page.iter().filter(|t| t.scope == Scope::Operator).count();
    }
}

fn manager_or_operator() -> DirectoryError {
    DirectoryError::forbidden(
        "issuing company admin keys needs the operator token or a manager token of the company's account",
        "ask the platform operator or your main account's manager",
    )
}
