// Natively the policy is plain JavaScript: test it with a MemoryHost, whose state survives between calls.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import policy from './policy.js';
import { MemoryHost, testing } from './switchyard/index.js';

const candidates = [
  { ...testing.candidate(1), idleMs: 90_000n },
  { ...testing.candidate(2), idleMs: 30_000n },
];

/** @param {import('./switchyard/index.js').Decision} decision */
const first = (decision) => {
  assert.equal(decision.tag, 'ring');
  return decision.val.targets[0].agent;
};

test('never rings the same agent first twice in a row', () => {
  const host = new MemoryHost();
  const call = testing.call();
  assert.equal(first(policy.route(host, call, candidates, '')), 1n);
  assert.equal(first(policy.route(host, call, candidates, '')), 2n);
  assert.equal(first(policy.route(host, call, candidates, '')), 1n);
  assert.equal(host.stateText('no-repeat.last'), '1');
});

test('refuses a ring timeout out of range', () => {
  assert.throws(() => policy.checkConfig('{"ring_timeout_ms": 500}'), /out of range 1000\.\.=120000/);
});
