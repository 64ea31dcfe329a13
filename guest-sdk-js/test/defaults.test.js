// Tests of defaults.js (ported from the Rust SDK's defaults.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultOverflow, defaultVisibility, QUEUE_MAX_WAIT_MS } from '../switchyard/defaults.js';
import { call } from '../switchyard/testing.js';

test('busy and policy error queue the caller', () => {
  const queue = { tag: 'queue', val: { maxWaitMs: 120_000, priority: 0 } };
  assert.equal(QUEUE_MAX_WAIT_MS, 120_000);
  assert.deepEqual(defaultOverflow(call(), 'all-busy'), queue);
  assert.deepEqual(defaultOverflow(call(), 'policy-error'), queue);
});

test('other reasons go to voicemail', () => {
  for (const reason of ['no-members', 'none-available', 'out-of-hours', 'no-answer', 'queue-timeout']) {
    assert.deepEqual(defaultOverflow(call(), /** @type {any} */ (reason)), { tag: 'voicemail', val: '' }, reason);
  }
});

/** @param {bigint} agent */
const subject = (agent) => ({ agent, role: /** @type {const} */ ('agent'), status: /** @type {const} */ ('available'), presence: /** @type {const} */ ('on-call') });

test('visibility by role and self', () => {
  const agent = { agent: 1n, role: /** @type {const} */ ('agent') };
  assert.equal(defaultVisibility(agent, subject(1n)), 'full');
  assert.equal(defaultVisibility(agent, subject(2n)), 'coarse');
  for (const role of /** @type {const} */ (['supervisor', 'admin'])) {
    assert.equal(defaultVisibility({ agent: 1n, role }, subject(2n)), 'full', role);
  }
});
