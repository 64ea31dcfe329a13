// Tests of plan.js (ported from the Rust SDK's plan.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseConfig } from '../switchyard/config.js';
import {
  decide, DEFAULT_RING_TIMEOUT_MS, MAX_RING_TIMEOUT_MS, MIN_RING_TIMEOUT_MS, ringPlan, ringTimeout,
} from '../switchyard/plan.js';
import { candidate } from '../switchyard/testing.js';

test('the ring timeout limits are the host\'s', () => {
  assert.equal(MIN_RING_TIMEOUT_MS, 1_000);
  assert.equal(MAX_RING_TIMEOUT_MS, 120_000);
  assert.equal(DEFAULT_RING_TIMEOUT_MS, 20_000);
});

test('ring plan clamps timeouts', () => {
  const plan = ringPlan('sequential', [3n, 1n], 10);
  assert.deepEqual(plan, {
    mode: 'sequential',
    targets: [{ agent: 3n, timeoutMs: MIN_RING_TIMEOUT_MS }, { agent: 1n, timeoutMs: MIN_RING_TIMEOUT_MS }],
  });
  assert.equal(ringPlan('simultaneous', [1n], 0xffffffff).targets[0].timeoutMs, MAX_RING_TIMEOUT_MS);
});

test('ring plan turns number ids into BigInt and refuses unknown modes', () => {
  assert.deepEqual(ringPlan('sequential', [7], 20_000).targets, [{ agent: 7n, timeoutMs: 20_000 }]);
  assert.throws(() => ringPlan(/** @type {any} */ ('parallel'), [1n], 20_000), TypeError);
  assert.throws(() => ringPlan('sequential', [1n], NaN), TypeError);
});

test('decide truncates to max targets', () => {
  const candidates = [candidate(1), candidate(2), candidate(3)];
  const decision = decide('sequential', [...candidates].reverse(), candidates, DEFAULT_RING_TIMEOUT_MS, 2);
  assert.deepEqual(decision, { tag: 'ring', val: ringPlan('sequential', [3n, 2n], DEFAULT_RING_TIMEOUT_MS) });
});

test('decide rings everyone without max targets, for the default timeout', () => {
  const candidates = [candidate(1), candidate(2)];
  assert.deepEqual(decide('simultaneous', candidates, candidates), {
    tag: 'ring', val: ringPlan('simultaneous', [1n, 2n], DEFAULT_RING_TIMEOUT_MS),
  });
  assert.throws(() => decide('simultaneous', candidates, candidates, 20_000, 0), RangeError);
});

test('decide overflows with the reason when nobody is ordered', () => {
  const candidates = [{ ...candidate(1), presence: 'on-call' }];
  assert.deepEqual(decide('simultaneous', [], candidates, DEFAULT_RING_TIMEOUT_MS), { tag: 'overflow', val: 'all-busy' });
});

test('ring timeout is range checked when parsed', () => {
  assert.equal(ringTimeout().read(15_000), 15_000);
  assert.throws(() => ringTimeout().read(500), /ring timeout 500 ms is out of range 1000\.\.=120000/);
  assert.equal(ringTimeout().default(), DEFAULT_RING_TIMEOUT_MS);
  const Config = { ring_timeout_ms: ringTimeout() };
  assert.equal(parseConfig('{"ring_timeout_ms": 15000}', Config).ring_timeout_ms, 15_000);
  assert.throws(() => parseConfig('{"ring_timeout_ms": 500}', Config), /out of range/);
  assert.throws(() => parseConfig('{"ring_timeout_ms": 15000.0}', Config), /invalid type: floating point `15000.0`, expected u32/);
});
