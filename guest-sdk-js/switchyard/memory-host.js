// MemoryHost: an in-memory Host for native unit tests, with the real host's state limits.

import { LEVELS, StateError, isLevel } from './host.js';
import { utf8Length } from './text.js';

/** Longest state key, in bytes. */
export const MAX_KEY_BYTES = 128;
/** Longest state value, in bytes. */
export const MAX_VALUE_BYTES = 4 * 1024;
/** Most state keys per company. */
export const MAX_KEYS = 256;
/** Most state bytes (keys plus values) per company. */
export const MAX_TOTAL_BYTES = 64 * 1024;

/** @import { Host } from './host.js' */
/** @import { Level } from './types.js' */

/**
 * A log line captured by a `MemoryHost`.
 * @typedef {object} LogLine
 * @property {Level} level
 * @property {string} message
 */

/**
 * A `Host` that keeps state in a map and captures log lines. It enforces the same limits as
 * the real host (see the WIT `state-set` docs), so a policy that outgrows its state fails in
 * tests too. Reuse one across several calls to see state survive between decisions, as it
 * does through the real host.
 * @implements {Host}
 */
export class MemoryHost {
  /** @type {Map<string, Uint8Array>} */
  #state = new Map();

  /** @type {LogLine[]} */
  #logs = [];

  /**
   * @param {Level} level
   * @param {string} message
   */
  log(level, message) {
    if (!isLevel(level)) throw new TypeError(`unknown log level ${JSON.stringify(level)}; one of ${LEVELS.join(', ')}`);
    this.#logs.push(Object.freeze({ level, message: String(message) }));
  }

  /**
   * @param {string} key
   * @returns {Uint8Array | undefined} a copy of the stored bytes
   */
  stateGet(key) {
    checkKey(key);
    return this.#state.get(key)?.slice();
  }

  /**
   * @param {string} key
   * @param {Uint8Array} value
   * @throws {StateError} `too-large` or `quota-exceeded`, as the real host
   */
  stateSet(key, value) {
    checkKey(key);
    if (!(value instanceof Uint8Array)) throw new TypeError('a state value is a Uint8Array');
    const keyBytes = utf8Length(key);
    if (keyBytes > MAX_KEY_BYTES || value.length > MAX_VALUE_BYTES) throw new StateError('too-large');
    const old = this.#state.get(key);
    const oldBytes = old === undefined ? 0 : keyBytes + old.length;
    const total = this.totalBytes() - oldBytes + keyBytes + value.length;
    const keys = this.#state.size + (old === undefined ? 1 : 0);
    if (keys > MAX_KEYS || total > MAX_TOTAL_BYTES) throw new StateError('quota-exceeded');
    this.#state.set(key, value.slice());
  }

  /** @param {string} key */
  stateDelete(key) {
    checkKey(key);
    this.#state.delete(key);
  }

  /**
   * The stored state, in key order (a copy).
   * @returns {Map<string, Uint8Array>}
   */
  get state() {
    const keys = [...this.#state.keys()].sort();
    return new Map(keys.map((key) => [key, /** @type {Uint8Array} */ (this.#state.get(key)).slice()]));
  }

  /**
   * The value under `key` decoded as UTF-8 (state written by `setState` is JSON text), or
   * undefined when absent.
   * @param {string} key
   * @returns {string | undefined}
   */
  stateText(key) {
    const bytes = this.#state.get(key);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  /**
   * Every log line written so far, oldest first (a copy).
   * @returns {LogLine[]}
   */
  get logs() {
    return [...this.#logs];
  }

  /**
   * Bytes used by the state (keys plus values).
   * @returns {number}
   */
  totalBytes() {
    let total = 0;
    for (const [key, value] of this.#state) total += utf8Length(key) + value.length;
    return total;
  }
}

/** @param {unknown} key */
function checkKey(key) {
  if (typeof key !== 'string') throw new TypeError('a state key is a string');
}
