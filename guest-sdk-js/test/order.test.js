// Tests of order.js (ported from the Rust SDK's order.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseConfig } from '../switchyard/config.js';
import { fewestCalls, leastTalkTime, longestIdle, ORDER_NAMES, orderName, sortBy } from '../switchyard/order.js';
import { candidate } from '../switchyard/testing.js';

/**
 * @param {import('../switchyard/order.js').OrderName} order
 * @param {import('../switchyard/types.js').Candidate[]} candidates
 */
const sorted = (order, candidates) => sortBy(order, candidates).map((c) => c.agent);

const team = () => [
  { ...candidate(4), idleMs: 5_000n, callsToday: 3, talkMsToday: 900_000n },
  { ...candidate(3), idleMs: 60_000n, callsToday: 1, talkMsToday: 100_000n },
  { ...candidate(2), idleMs: 60_000n, callsToday: 1, talkMsToday: 50_000n },
  { ...candidate(1), idleMs: 1_000n, callsToday: 0, talkMsToday: 50_000n },
];

test('longest idle ties by agent id', () => {
  assert.deepEqual(sorted('longest-idle', team()), [2n, 3n, 4n, 1n]);
});

test('fewest calls then longest idle', () => {
  assert.deepEqual(sorted('fewest-calls', team()), [1n, 2n, 3n, 4n]);
});

test('least talk time then longest idle', () => {
  assert.deepEqual(sorted('least-talk-time', team()), [2n, 1n, 3n, 4n]);
});

test('the named functions are the orderings and leave their input alone', () => {
  const input = team();
  const before = input.map((c) => c.agent);
  assert.deepEqual(longestIdle(input).map((c) => c.agent), sorted('longest-idle', input));
  assert.deepEqual(fewestCalls(input).map((c) => c.agent), sorted('fewest-calls', input));
  assert.deepEqual(leastTalkTime(input).map((c) => c.agent), sorted('least-talk-time', input));
  assert.deepEqual(input.map((c) => c.agent), before);
});

test('orderings compare ids above 2^53 exactly', () => {
  const big = 2n ** 60n;
  const candidates = [candidate(big + 1n), candidate(big)];
  assert.deepEqual(sorted('longest-idle', candidates), [big, big + 1n]);
});

test('order reads kebab-case', () => {
  const Config = { order: orderName() };
  assert.equal(parseConfig('{"order": "least-talk-time"}', Config).order, 'least-talk-time');
  assert.equal(parseConfig('', Config).order, 'longest-idle');
  assert.throws(() => parseConfig('{"order": "LeastTalkTime"}', Config), /unknown variant `LeastTalkTime`, expected one of `longest-idle`, `fewest-calls`, `least-talk-time`/);
  assert.deepEqual(ORDER_NAMES, ['longest-idle', 'fewest-calls', 'least-talk-time']);
});

test('an unknown order name is a TypeError', () => {
  assert.throws(() => sortBy(/** @type {any} */ ('constructor'), team()), TypeError);
});
