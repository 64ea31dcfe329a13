// Ready-made inputs for native unit tests of policies: call(), candidate(agent), skills(call, names).
//
// Start from `call()` and `candidate(id)` and change what the test is about with spread syntax:
//   const busy = { ...candidate(7), presence: 'on-call' };
// Values are as a component receives them: u64 fields are BigInt and `call.tried` is a
// BigUint64Array (`call.tried = BigUint64Array.of(12n, 10n)`).

import { MAX_SKILLS } from './skills.js';

/** @import { Call, Candidate } from './types.js' */

/**
 * A first-attempt call on a Wednesday at 10:00 company time, to department 10 of company 1,
 * nobody tried yet, no attributes, no department skills.
 * @returns {Call}
 */
export function call() {
  return {
    id: 'call-1',
    company: 1n,
    dialledNumber: '+15550100',
    caller: '+15550199',
    department: 10n,
    attempt: 1,
    waitedMs: 0n,
    nowUnixMs: 1_700_000_000_000n,
    localWeekday: 'wednesday',
    localMinute: 10 * 60,
    seed: 42n,
    tried: new BigUint64Array(0),
    attributes: [],
    skills: [],
  };
}

/**
 * An eligible first-tier agent: available, taking calls, in schedule, idle for 0 ms, no calls
 * and no talk time today, no skills.
 * @param {bigint | number} agent the agent id (a number is turned into a BigInt)
 * @returns {Candidate}
 */
export function candidate(agent) {
  return {
    agent: BigInt(agent),
    role: 'agent',
    tier: 1,
    skills: 0n,
    status: 'available',
    takeCalls: true,
    inSchedule: true,
    presence: 'idle',
    idleMs: 0n,
    callsToday: 0,
    talkMsToday: 0n,
  };
}

/**
 * The skill set of `names` in `call`: names the call's department does not list yet are added
 * to `call.skills` (as the host does for the members of a department), so candidates built
 * for one call share its bits.
 * @param {Call} call changed: new names are appended to `call.skills`
 * @param {Iterable<string>} names
 * @returns {bigint}
 * @throws {RangeError} if the call would list more than `MAX_SKILLS` names
 */
export function skills(call, names) {
  let set = 0n;
  for (const name of names) {
    let bit = call.skills.indexOf(name);
    if (bit < 0) {
      if (call.skills.length >= MAX_SKILLS) throw new RangeError(`a call lists at most ${MAX_SKILLS} skills`);
      bit = call.skills.push(name) - 1;
    }
    set |= 1n << BigInt(bit);
  }
  return set;
}
