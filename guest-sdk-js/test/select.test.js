// Tests of select.js (ported from the Rust SDK's select.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attribute, eligible, isEligible, unavailableReason, wasTried } from '../switchyard/select.js';
import { call, candidate } from '../switchyard/testing.js';

/** @param {Iterable<{agent: bigint}>} candidates */
const ids = (candidates) => Array.from(candidates, (c) => c.agent);

test('eligible filters every condition', () => {
  const tried = { ...call(), tried: BigUint64Array.of(7n) };
  const candidates = [
    candidate(1),
    { ...candidate(2), status: 'on-break' },
    { ...candidate(3), takeCalls: false },
    { ...candidate(4), inSchedule: false },
    { ...candidate(5), presence: 'on-call' },
    { ...candidate(6), presence: 'logged-out' },
    candidate(7),
    candidate(8),
  ];
  assert.deepEqual(ids(eligible(candidates, tried)), [1n, 8n]);
  assert.equal(isEligible(candidate(7), tried), false);
  assert.equal(isEligible(candidate(8), tried), true);
});

test('tried works as a BigUint64Array, an array of BigInt or of numbers', () => {
  for (const tried of [BigUint64Array.of(7n), [7n], [7]]) {
    assert.equal(wasTried({ ...call(), tried }, 7n), true);
    assert.equal(wasTried({ ...call(), tried }, 8), false);
  }
});

test('eligible keeps the original order and accepts any iterable', () => {
  const team = [candidate(3), candidate(1), candidate(2)];
  assert.deepEqual(ids(eligible(team.values(), call())), [3n, 1n, 2n]);
});

test('reason is no-members for an empty department', () => {
  assert.equal(unavailableReason([]), 'no-members');
});

test('reason is all-busy when an available member is busy', () => {
  for (const presence of ['ringing', 'on-call', 'wrap-up', 'busy-elsewhere']) {
    const candidates = [{ ...candidate(1), status: 'unavailable' }, { ...candidate(2), presence }];
    assert.equal(unavailableReason(candidates), 'all-busy', presence);
  }
});

test('reason is none-available when busy members are not available here', () => {
  const candidates = [
    { ...candidate(1), status: 'on-break', presence: 'on-call' },
    { ...candidate(2), takeCalls: false, presence: 'busy-elsewhere' },
    { ...candidate(3), presence: 'logged-out' },
  ];
  assert.equal(unavailableReason(candidates), 'none-available');
});

test('attribute finds the first match', () => {
  const c = {
    ...call(),
    attributes: [{ key: 'skill', value: 'french' }, { key: 'skill', value: 'german' }],
  };
  assert.equal(attribute(c, 'skill'), 'french');
  assert.equal(attribute(c, 'vip'), undefined);
});
