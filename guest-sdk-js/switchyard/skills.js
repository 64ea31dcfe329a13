// Skills by name over each candidate's bitmask (skillSet, hasSkill, skillNames, RequiredSkills).
//
// The department's skill names arrive once, in `call.skills`, and each candidate's `skills` is a
// BigInt bitmask over them. Names compare case-insensitively (ASCII) and ignoring surrounding
// white space, as in the Rust SDK.

import { asciiLowerCase, trim } from './text.js';

/** @import { Call, Candidate } from './types.js' */

/** Most skill names a call carries (the bits of a skill set). */
export const MAX_SKILLS = 64;

/**
 * Whether two skill names are the same skill.
 * @param {string} a
 * @param {string} b
 * @returns {boolean}
 */
export function sameSkill(a, b) {
  return asciiLowerCase(trim(a)) === asciiLowerCase(trim(b));
}

/**
 * The bits standing for skill `name` in candidates' `skills`; `0n` when no member of the
 * department has it. Usually one bit; more if the company spelt the skill in several cases.
 * @param {Call} call
 * @param {string} name
 * @returns {bigint}
 */
export function skillSet(call, name) {
  let set = 0n;
  call.skills.slice(0, MAX_SKILLS).forEach((skill, bit) => {
    if (sameSkill(skill, name)) set |= 1n << BigInt(bit);
  });
  return set;
}

/**
 * Whether `candidate` has skill `name` in the call's department.
 * @param {Candidate} candidate
 * @param {Call} call
 * @param {string} name
 * @returns {boolean}
 */
export function hasSkill(candidate, call, name) {
  return (BigInt(candidate.skills) & skillSet(call, name)) !== 0n;
}

/**
 * The candidate's skill names, as the company spelt them.
 * @param {Candidate} candidate
 * @param {Call} call
 * @returns {string[]}
 */
export function skillNames(candidate, call) {
  const set = BigInt(candidate.skills);
  return call.skills.slice(0, MAX_SKILLS).filter((_, bit) => (set & (1n << BigInt(bit))) !== 0n);
}

/**
 * Skills a candidate must all have, looked up once in a call so that checking each candidate
 * is a few bit tests.
 */
export class RequiredSkills {
  /** One set per required name; a candidate needs a bit of each (an empty set: nobody has it). */
  #each;

  /**
   * The requirement of every name in `names` (blank names are ignored).
   * @param {Call} call
   * @param {Iterable<string>} names
   */
  constructor(call, names) {
    this.#each = Array.from(names).filter((name) => trim(name) !== '').map((name) => skillSet(call, name));
    Object.freeze(this);
  }

  /**
   * Whether nothing is required.
   * @returns {boolean}
   */
  isEmpty() {
    return this.#each.length === 0;
  }

  /**
   * Whether `candidate` has every required skill.
   * @param {Candidate} candidate
   * @returns {boolean}
   */
  isMetBy(candidate) {
    const skills = BigInt(candidate.skills);
    return this.#each.every((set) => (skills & set) !== 0n);
  }
}
