// Unit tests of the round-robin port (the Rust plugin's tests, same expectations and state bytes).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import policy, { POINTER_KEY } from './policy.js';
import { MemoryHost, ringPlan, setState, testing } from './switchyard/index.js';

/** @typedef {import('./switchyard/index.js').Candidate} Candidate */

/** @returns {Candidate[]} */
const team = () => [
  testing.candidate(30),
  testing.candidate(10),
  { ...testing.candidate(25), presence: 'wrap-up' },
  testing.candidate(20),
];

/** @param {bigint[]} agents */
const plan = (agents) => ({ tag: 'ring', val: ringPlan('sequential', agents, 20_000) });

test('pointer advances across calls and wraps', () => {
  const host = new MemoryHost();
  const call = testing.call();
  assert.deepEqual(policy.route(host, call, team(), ''), plan([10n, 20n, 30n]));
  assert.equal(host.stateText(POINTER_KEY), '10');
  assert.deepEqual(policy.route(host, call, team(), ''), plan([20n, 30n, 10n]));
  assert.deepEqual(policy.route(host, call, team(), ''), plan([30n, 10n, 20n]));
  assert.deepEqual(policy.route(host, call, team(), ''), plan([10n, 20n, 30n]));
});

test('pointer survives the last agent leaving', () => {
  const host = new MemoryHost();
  setState(host, POINTER_KEY, 20n);
  // Agent 20 went on a call; the rotation continues after 20 anyway.
  const candidates = team().map((c) => (c.agent === 20n ? { ...c, presence: /** @type {const} */ ('on-call') } : c));
  assert.deepEqual(policy.route(host, testing.call(), candidates, ''), plan([30n, 10n]));
});

test('max targets truncates after rotation', () => {
  const host = new MemoryHost();
  setState(host, POINTER_KEY, 10n);
  assert.deepEqual(policy.route(host, testing.call(), team(), '{"max_targets": 1}'), plan([20n]));
});

test('overflow leaves the pointer alone', () => {
  const host = new MemoryHost();
  setState(host, POINTER_KEY, 20n);
  const onBreak = [{ ...testing.candidate(1), status: /** @type {const} */ ('on-break') }];
  assert.deepEqual(policy.route(host, testing.call(), onBreak, ''), { tag: 'overflow', val: 'none-available' });
  assert.equal(host.stateText(POINTER_KEY), '20');
});

test('checks config', () => {
  policy.checkConfig('{"ring_timeout_ms": 30000}');
  assert.throws(() => policy.checkConfig('{"ring_timeout_ms": 999999}'), /out of range/);
});

test('continues a pointer the Rust plugin wrote, also above 2^53', () => {
  const host = new MemoryHost();
  host.stateSet(POINTER_KEY, new TextEncoder().encode('25'));
  assert.deepEqual(policy.route(host, testing.call(), team(), ''), plan([30n, 10n, 20n]));
  const big = 2n ** 60n;
  const giants = [testing.candidate(big + 2n), testing.candidate(big + 1n)];
  host.stateSet(POINTER_KEY, new TextEncoder().encode(String(big + 1n)));
  assert.deepEqual(policy.route(host, testing.call(), giants, ''), plan([big + 2n, big + 1n]));
  assert.equal(host.stateText(POINTER_KEY), String(big + 2n));
});

test('an unreadable pointer is logged and ignored', () => {
  const host = new MemoryHost();
  host.stateSet(POINTER_KEY, new TextEncoder().encode('"twenty"'));
  assert.deepEqual(policy.route(host, testing.call(), team(), ''), plan([10n, 20n, 30n]));
  assert.equal(host.logs[0].level, 'warn');
  assert.match(host.logs[0].message, /^ignoring undecodable state under `rr.last`/);
});

test('a refused pointer write is logged and the call still rings', () => {
  const host = new MemoryHost();
  for (let i = 0; i < 256; i += 1) host.stateSet(`k${i}`, new Uint8Array(0));
  assert.deepEqual(policy.route(host, testing.call(), team(), ''), plan([10n, 20n, 30n]));
  assert.equal(host.logs[0].message, 'round-robin pointer not saved: host refused to store state key `rr.last`');
});
