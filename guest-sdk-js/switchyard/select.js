// Who may be rung: eligible candidates, and why nobody is (unavailableReason); call attributes.

/** @import { Call, Candidate, OverflowReason } from './types.js' */

/** Presences of an agent who is available here but busy right now. */
const BUSY = new Set(['ringing', 'on-call', 'wrap-up', 'busy-elsewhere']);

/**
 * Available in this company: status, take-calls and schedule all say yes.
 * @param {Candidate} candidate
 * @returns {boolean}
 */
function isAvailableHere(candidate) {
  return candidate.status === 'available' && candidate.takeCalls && candidate.inSchedule;
}

/**
 * Whether `call` was already offered to `agent` (`call.tried` is a BigUint64Array inside a
 * component; plain arrays of BigInt or numbers work too).
 * @param {Call} call
 * @param {bigint | number} agent
 * @returns {boolean}
 */
export function wasTried(call, agent) {
  const id = BigInt(agent);
  for (const tried of call.tried) if (BigInt(tried) === id) return true;
  return false;
}

/**
 * Whether `candidate` can be offered `call` right now: status available, taking calls, inside
 * their schedule, idle, and not already tried for this call.
 * @param {Candidate} candidate
 * @param {Call} call
 * @returns {boolean}
 */
export function isEligible(candidate, call) {
  return isAvailableHere(candidate) && candidate.presence === 'idle' && !wasTried(call, candidate.agent);
}

/**
 * The candidates that can be offered `call` now (see `isEligible`), in their original order.
 * @param {Iterable<Candidate>} candidates
 * @param {Call} call
 * @returns {Candidate[]} a new array
 */
export function eligible(candidates, call) {
  return Array.from(candidates).filter((candidate) => isEligible(candidate, call));
}

/**
 * Why nobody is rung when nobody is eligible:
 * - no candidates at all: `no-members`;
 * - someone is available here but busy (ringing, on a call, in wrap-up or busy for another
 *   company): `all-busy`;
 * - otherwise: `none-available`.
 * @param {Iterable<Candidate>} candidates
 * @returns {OverflowReason}
 */
export function unavailableReason(candidates) {
  const all = Array.from(candidates);
  if (all.length === 0) return 'no-members';
  const someoneBusy = all.some((candidate) => isAvailableHere(candidate) && BUSY.has(candidate.presence));
  return someoneBusy ? 'all-busy' : 'none-available';
}

/**
 * The value of the call attribute `key` sent by the telephony platform, if any (first match
 * wins).
 * @param {Call} call
 * @param {string} key
 * @returns {string | undefined}
 */
export function attribute(call, key) {
  return call.attributes.find((a) => a.key === key)?.value;
}
