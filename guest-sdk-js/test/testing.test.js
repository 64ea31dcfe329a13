// Tests of testing.js (ported from the Rust SDK's testing.rs examples).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hasSkill } from '../switchyard/skills.js';
import { call, candidate, skills } from '../switchyard/testing.js';

test('a call is the documented one, with BigInt where the WIT has u64', () => {
  const c = call();
  assert.equal(c.company, 1n);
  assert.equal(c.department, 10n);
  assert.equal(c.attempt, 1);
  assert.equal(c.localWeekday, 'wednesday');
  assert.equal(c.localMinute, 600);
  assert.equal(c.seed, 42n);
  assert.equal(c.nowUnixMs, 1_700_000_000_000n);
  assert.ok(c.tried instanceof BigUint64Array);
  assert.equal(c.tried.length, 0);
  assert.notEqual(call().skills, call().skills);
});

test('a candidate is eligible and takes the id as BigInt', () => {
  const busy = { ...candidate(7), idleMs: 0n };
  assert.equal(busy.agent, 7n);
  assert.equal(candidate(7n).agent, 7n);
  assert.equal(candidate(1).presence, 'idle');
  assert.equal(candidate(1).skills, 0n);
});

test('skills adds names to the call and returns the bits', () => {
  const c = call();
  const asha = { ...candidate(1), skills: skills(c, ['hindi']) };
  assert.ok(hasSkill(asha, c, 'hindi'));
  assert.equal(skills(c, ['billing', 'hindi']), 0b11n);
  assert.deepEqual(c.skills, ['hindi', 'billing']);
  c.skills = Array.from({ length: 64 }, (_, i) => `s${i}`);
  assert.equal(skills(c, ['s63']), 1n << 63n);
  assert.throws(() => skills(c, ['one too many']), RangeError);
});
