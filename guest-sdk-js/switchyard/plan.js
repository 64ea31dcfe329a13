// Building answers: ringPlan, decide, the ring-timeout limits and the ringTimeout config field.

import { refine, u32 } from './fields.js';
import { unavailableReason } from './select.js';

/** @import { Candidate, Decision, RingMode, RingPlan } from './types.js' */

/** Shortest ring timeout the host accepts, in milliseconds. */
export const MIN_RING_TIMEOUT_MS = 1_000;
/** Longest ring timeout the host accepts, in milliseconds. */
export const MAX_RING_TIMEOUT_MS = 120_000;
/** Ring timeout used when a config does not set one, in milliseconds. */
export const DEFAULT_RING_TIMEOUT_MS = 20_000;

/** The ring modes: all at once, or one after another. */
export const RING_MODES = Object.freeze(/** @type {RingMode[]} */ (['simultaneous', 'sequential']));

/**
 * A config field for how long to ring each target, in milliseconds: a u32 within
 * `MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS`, `DEFAULT_RING_TIMEOUT_MS` when absent (Rust's
 * `RingTimeout`).
 * @param {{default?: number}} [options] the value when absent
 * @returns {import('./fields.js').Field<number>}
 */
export function ringTimeout(options = {}) {
  return refine(u32({ default: options.default ?? DEFAULT_RING_TIMEOUT_MS }), (ms) => (
    ms >= MIN_RING_TIMEOUT_MS && ms <= MAX_RING_TIMEOUT_MS
    || `ring timeout ${ms} ms is out of range ${MIN_RING_TIMEOUT_MS}..=${MAX_RING_TIMEOUT_MS}`));
}

/**
 * `timeoutMs` clamped to `MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS`.
 * @param {number} timeoutMs
 * @returns {number}
 */
function clampTimeout(timeoutMs) {
  const ms = Math.trunc(Number(timeoutMs));
  if (Number.isNaN(ms)) throw new TypeError(`ring timeout ${String(timeoutMs)} is not a number`);
  return Math.min(Math.max(ms, MIN_RING_TIMEOUT_MS), MAX_RING_TIMEOUT_MS);
}

/**
 * A plan ringing `agents` in the given order, each for `timeoutMs` (clamped to
 * `MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS`).
 * @param {RingMode} mode
 * @param {Iterable<bigint | number>} agents agent ids (numbers are turned into BigInt)
 * @param {number} timeoutMs
 * @returns {RingPlan}
 */
export function ringPlan(mode, agents, timeoutMs) {
  if (!RING_MODES.includes(mode)) throw new TypeError(`unknown ring mode ${JSON.stringify(mode)}; one of ${RING_MODES.join(', ')}`);
  const ms = clampTimeout(timeoutMs);
  return { mode, targets: Array.from(agents, (agent) => ({ agent: BigInt(agent), timeoutMs: ms })) };
}

/**
 * The usual end of `route`: ring the first `maxTargets` of `ordered` (all of them when
 * undefined), or, if `ordered` is empty, overflow with `unavailableReason(candidates)`.
 * @param {RingMode} mode
 * @param {Iterable<Candidate>} ordered whom to ring, in order
 * @param {Iterable<Candidate>} candidates every candidate of the call (for the reason)
 * @param {number} [timeoutMs] how long to ring each (default `DEFAULT_RING_TIMEOUT_MS`)
 * @param {number} [maxTargets] ring at most this many (a positive integer; undefined: all)
 * @returns {Decision}
 */
export function decide(mode, ordered, candidates, timeoutMs = DEFAULT_RING_TIMEOUT_MS, maxTargets = undefined) {
  if (maxTargets !== undefined && maxTargets !== null && !(Number.isInteger(maxTargets) && maxTargets >= 1)) {
    throw new RangeError(`maxTargets is a positive integer, not ${String(maxTargets)}`);
  }
  const limit = maxTargets ?? Infinity;
  const plan = ringPlan(mode, Array.from(ordered).slice(0, limit).map((candidate) => candidate.agent), timeoutMs);
  if (plan.targets.length === 0) return { tag: 'overflow', val: unavailableReason(candidates) };
  return { tag: 'ring', val: plan };
}
