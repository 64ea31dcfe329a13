// Orderings of candidates (longest idle, fewest calls, least talk time); stable, ending with the agent id.
//
// Each returns a new sorted array and leaves its input alone, so the same inputs always give the
// same plan. Ids and times are BigInt in a component; numbers work too.

import { oneOf } from './fields.js';

/** @import { Candidate } from './types.js' */

/**
 * The orderings by the names a config selects them with (Rust's `Order`, kebab-case).
 * @typedef {'longest-idle' | 'fewest-calls' | 'least-talk-time'} OrderName
 */

/**
 * -1, 0 or 1 as `a` is below, equal to or above `b` (numbers and BigInt alike).
 * @param {bigint | number} a
 * @param {bigint | number} b
 * @returns {number}
 */
function ascending(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Longest idle first; ties by agent id.
 * @param {Iterable<Candidate>} candidates
 * @returns {Candidate[]}
 */
export function longestIdle(candidates) {
  return Array.from(candidates).sort((a, b) => ascending(b.idleMs, a.idleMs) || ascending(a.agent, b.agent));
}

/**
 * Fewest calls answered today first; ties by longest idle, then agent id.
 * @param {Iterable<Candidate>} candidates
 * @returns {Candidate[]}
 */
export function fewestCalls(candidates) {
  return Array.from(candidates).sort((a, b) => ascending(a.callsToday, b.callsToday)
    || ascending(b.idleMs, a.idleMs) || ascending(a.agent, b.agent));
}

/**
 * Least talk time today first; ties by longest idle, then agent id.
 * @param {Iterable<Candidate>} candidates
 * @returns {Candidate[]}
 */
export function leastTalkTime(candidates) {
  return Array.from(candidates).sort((a, b) => ascending(a.talkMsToday, b.talkMsToday)
    || ascending(b.idleMs, a.idleMs) || ascending(a.agent, b.agent));
}

/** @type {ReadonlyMap<OrderName, (candidates: Iterable<Candidate>) => Candidate[]>} */
const ORDERS = new Map([
  ['longest-idle', longestIdle],
  ['fewest-calls', fewestCalls],
  ['least-talk-time', leastTalkTime],
]);

/** The names of the orderings, the default (`longest-idle`) first. */
export const ORDER_NAMES = Object.freeze(/** @type {OrderName[]} */ ([...ORDERS.keys()]));

/**
 * `candidates` sorted by the ordering named `order`.
 * @param {OrderName} order
 * @param {Iterable<Candidate>} candidates
 * @returns {Candidate[]}
 * @throws {TypeError} for an unknown name
 */
export function sortBy(order, candidates) {
  const sort = ORDERS.get(order);
  if (sort === undefined) throw new TypeError(`unknown order ${JSON.stringify(order)}; one of ${ORDER_NAMES.join(', ')}`);
  return sort(candidates);
}

/**
 * A config field naming an ordering (`"longest-idle"`, `"fewest-calls"` or
 * `"least-talk-time"`), as Rust's `Order`.
 * @param {{default?: OrderName}} [options] the value when absent (default `longest-idle`)
 * @returns {import('./fields.js').Field<OrderName>}
 */
export function orderName(options = {}) {
  return oneOf(ORDER_NAMES, { default: options.default ?? 'longest-idle' });
}
