//! Keys and values of the directory's trees: big-endian ids, composite keys, and decoding a
//! stored record or id with the tree named in the error.

use serde::de::DeserializeOwned;

use super::TREE_NAMES;
use crate::store::StoreError;
use crate::token::TokenHash;

pub(crate) fn be(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub(crate) fn pair(a: u64, b: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&a.to_be_bytes());
    key[8..].copy_from_slice(&b.to_be_bytes());
    key
}

pub(crate) fn ext_key(company: u64, extension: &str) -> Vec<u8> {
    [be(company).as_slice(), extension.as_bytes()].concat()
}

pub(crate) fn number_key(company: u64, number: &str) -> Vec<u8> {
    [be(company).as_slice(), number.as_bytes()].concat()
}

pub(crate) fn read_id(tree: usize, bytes: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: format!("expected an 8-byte id, got {} bytes", bytes.len()),
        })
}

pub(super) fn read_hash(tree: usize, bytes: &[u8]) -> Result<TokenHash, StoreError> {
    <[u8; 32]>::try_from(bytes)
        .map(TokenHash)
        .map_err(|_| StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: format!("expected a 32-byte hash, got {} bytes", bytes.len()),
        })
}

pub(super) fn decode<T: DeserializeOwned>(tree: usize, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree: TREE_NAMES[tree],
        detail: e.to_string(),
    })
}
