// The Host contract a policy receives (logging and persistent state), its log levels and StateError.

/** @import { Level, StateErrorReason } from './types.js' */

/**
 * What the host offers a policy while it decides: the SDK passes `wasmHost` inside a
 * component and tests pass a `MemoryHost`.
 *
 * @typedef {object} Host
 * @property {(level: Level, message: string) => void} log writes a line to the host's log,
 *   tagged with company and policy
 * @property {(key: string) => (Uint8Array | undefined)} stateGet the raw value stored under
 *   `key` in the company's policy state
 * @property {(key: string, value: Uint8Array) => void} stateSet stores `value` under `key`
 *   (persisted when the decision completes); throws a `StateError` when the host refuses
 * @property {(key: string) => void} stateDelete removes `key`
 */

/** The log levels, least severe first. */
export const LEVELS = Object.freeze(/** @type {const} */ (['trace', 'debug', 'info', 'warn', 'error']));

/** Why the host refuses a state write: `too-large` (key over 128 bytes or value over 4 KiB) or `quota-exceeded` (company over 256 keys or 64 KiB). */
export const STATE_ERRORS = Object.freeze(/** @type {const} */ (['too-large', 'quota-exceeded']));

/**
 * Whether `level` is one of `LEVELS`.
 * @param {unknown} level
 * @returns {level is Level}
 */
export function isLevel(level) {
  return LEVELS.includes(/** @type {any} */ (level));
}

/** The host refused a state write; `reason` is the WIT `state-error`. */
export class StateError extends Error {
  /** @param {StateErrorReason} reason */
  constructor(reason) {
    super(reason === 'too-large'
      ? 'too-large: state key over 128 bytes or value over 4 KiB'
      : 'quota-exceeded: the company\'s state would exceed 256 keys or 64 KiB');
    this.name = 'StateError';
    /** `too-large` or `quota-exceeded`. */
    this.reason = reason;
  }
}
