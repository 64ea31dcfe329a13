// Native unit tests of the policy: `node --test`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import policy from './policy.js';
import { ConfigError, MemoryHost, testing } from './switchyard/index.js';

test('rings the longest idle first', () => {
  const a = { ...testing.candidate(1n), idleMs: 1_000n };
  const b = { ...testing.candidate(2n), idleMs: 9_000n };
  const decision = policy.route(new MemoryHost(), testing.call(), [a, b], '');
  assert.equal(decision.tag, 'ring');
  assert.deepEqual(decision.val.targets.map((t) => t.agent), [2n, 1n]);
});

test('refuses a misspelt config', () => {
  assert.throws(() => policy.checkConfig('{"ring_timeout": 5000}'), (error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /unknown field `ring_timeout`/);
    return true;
  });
});
