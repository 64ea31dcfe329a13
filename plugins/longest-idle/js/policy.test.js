// Unit tests of the longest-idle port (the Rust plugin's tests, same expectations).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import policy from './policy.js';
import { MemoryHost, ringPlan, testing } from './switchyard/index.js';

/** @typedef {import('./switchyard/index.js').Candidate} Candidate */

/**
 * @param {Candidate[]} candidates
 * @param {string} config
 */
const route = (candidates, config) => policy.route(new MemoryHost(), testing.call(), candidates, config);

/** @returns {Candidate[]} */
const team = () => [
  { ...testing.candidate(11), idleMs: 45_000n },
  { ...testing.candidate(12), idleMs: 300_000n },
  { ...testing.candidate(13), idleMs: 300_000n, presence: 'on-call' },
  { ...testing.candidate(14), idleMs: 120_000n },
  { ...testing.candidate(15), idleMs: 900_000n, status: 'on-break' },
  { ...testing.candidate(10), idleMs: 120_000n },
];

/**
 * @param {bigint[]} agents
 * @param {number} timeoutMs
 */
const ring = (agents, timeoutMs) => ({ tag: 'ring', val: ringPlan('sequential', agents, timeoutMs) });

/**
 * The message `policy.checkConfig(config)` refuses with.
 * @param {string} config
 * @returns {string}
 */
function refusal(config) {
  try {
    policy.checkConfig(config);
  } catch (error) {
    return /** @type {Error} */ (error).message;
  }
  return assert.fail(`accepted ${config}`);
}

test('rings eligible agents longest idle first', () => {
  assert.deepEqual(route(team(), ''), ring([12n, 10n, 14n, 11n], 20_000));
});

test('honours timeout and max targets', () => {
  assert.deepEqual(route(team(), '{"ring_timeout_ms": 15000, "max_targets": 2}'), ring([12n, 10n], 15_000));
});

test('skips agents already tried', () => {
  const call = { ...testing.call(), attempt: 2, tried: BigUint64Array.of(12n, 10n) };
  assert.deepEqual(policy.route(new MemoryHost(), call, team(), ''), ring([14n, 11n], 20_000));
});

test('overflows when nobody is eligible', () => {
  const busy = team().map((c) => ({ ...c, presence: /** @type {const} */ ('busy-elsewhere') }));
  assert.deepEqual(route(busy, ''), { tag: 'overflow', val: 'all-busy' });
  assert.deepEqual(route([], ''), { tag: 'overflow', val: 'no-members' });
});

test('checks config', () => {
  policy.checkConfig('');
  policy.checkConfig('{"max_targets": 3}');
  assert.match(refusal('{"max_target": 3}'), /unknown field `max_target`/);
  assert.match(refusal('{"max_targets": 0}'), /`max_targets`/);
});

test('a bad stored config is logged and the defaults are used', () => {
  const host = new MemoryHost();
  assert.deepEqual(policy.route(host, testing.call(), team(), '{"ring_timeout_ms": 5}'), ring([12n, 10n, 14n, 11n], 20_000));
  assert.equal(host.logs[0].level, 'error');
  assert.match(host.logs[0].message, /ring timeout 5 ms is out of range/);
});
