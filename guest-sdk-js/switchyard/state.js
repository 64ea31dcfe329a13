// Typed access to the company's persistent policy state, stored as JSON (the Rust SDK's encoding).
//
// State survives between decisions (the host persists it when a decision completes). Values are
// JSON text, as the Rust SDK's `serde_json::to_vec`, so a Rust policy and its JavaScript port read
// each other's state: `12u64` is stored as `12` and read back as `12n` with `getState(host, key,
// u64())`. Keep it small: keys up to 128 bytes, values up to 4 KiB, at most 256 keys and 64 KiB
// per company.

import { FieldError } from './fields.js';
import { StateError } from './host.js';
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson, stringifyJson } from './json.js';

/** @import { Host } from './host.js' */

/**
 * Why `setState` did not store a value: `kind` is `encode` (the value cannot be written as
 * JSON) or `refused` (the host refused it: too large, or over the company's quota); `cause`
 * is the underlying error (a `StateError` when refused).
 */
export class SetError extends Error {
  /**
   * @param {'encode' | 'refused'} kind
   * @param {string} key the key being written
   * @param {unknown} cause
   */
  constructor(kind, key, cause) {
    super(kind === 'encode'
      ? `state value for \`${key}\` cannot be encoded as JSON`
      : `host refused to store state key \`${key}\``, { cause });
    this.name = 'SetError';
    /** `encode` or `refused`. */
    this.kind = kind;
    /** The key being written. */
    this.key = key;
    /** `too-large` or `quota-exceeded` when refused, otherwise undefined. */
    this.reason = cause instanceof StateError ? cause.reason : undefined;
  }
}

/**
 * The value stored under `key`, decoded from JSON (integers too large for a double exactly
 * come back as BigInt), and read with `type` when given (e.g. `u64()` for an agent id, which
 * gives a BigInt).
 *
 * `undefined` if the key is absent, or if its value is not JSON or does not read as `type`
 * (logged at warn level; for example after a policy changed its state format).
 * @template [T=unknown]
 * @param {Host} host
 * @param {string} key
 * @param {import('./fields.js').Field<T>} [type]
 * @returns {T | undefined}
 */
export function getState(host, key, type) {
  const bytes = host.stateGet(key);
  if (bytes === undefined) return undefined;
  /** @param {string} detail */
  const ignore = (detail) => {
    host.log('warn', `ignoring undecodable state under \`${key}\`: ${detail}`);
    return undefined;
  };
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return ignore('invalid UTF-8');
  }
  try {
    if (type === undefined) return /** @type {T} */ (parseJson(text));
    return type.read(parseJson(text, { duplicates: 'error', markFloats: true }), '.');
  } catch (error) {
    if (error instanceof FieldError) return ignore(error.path === '.' ? error.message : `\`${error.path}\`: ${error.message}`);
    if (error instanceof JsonSyntaxError || error instanceof JsonDuplicateKeyError) return ignore(error.message);
    throw error;
  }
}

/**
 * Stores `value` under `key` as JSON (BigInt as a plain number, as Rust writes a `u64`).
 * @param {Host} host
 * @param {string} key
 * @param {unknown} value
 * @returns {void}
 * @throws {SetError} `encode` if `value` cannot be written as JSON, `refused` if the host
 *   refuses it (too large, or over the company's quota)
 */
export function setState(host, key, value) {
  let bytes;
  try {
    bytes = new TextEncoder().encode(stringifyJson(value));
  } catch (error) {
    throw new SetError('encode', key, error);
  }
  try {
    host.stateSet(key, bytes);
  } catch (error) {
    if (error instanceof StateError) throw new SetError('refused', key, error);
    throw error;
  }
}

/**
 * Removes `key`.
 * @param {Host} host
 * @param {string} key
 * @returns {void}
 */
export function deleteState(host, key) {
  host.stateDelete(key);
}
