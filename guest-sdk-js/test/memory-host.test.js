// Tests of memory-host.js (ported from the Rust SDK's memory.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { StateError } from '../switchyard/host.js';
import { MAX_KEY_BYTES, MAX_KEYS, MAX_TOTAL_BYTES, MAX_VALUE_BYTES, MemoryHost } from '../switchyard/memory-host.js';

const bytes = (/** @type {string} */ text) => new TextEncoder().encode(text);

/**
 * @param {() => void} run
 * @param {'too-large' | 'quota-exceeded'} reason
 */
function refusedWith(run, reason) {
  assert.throws(run, (error) => error instanceof StateError && error.reason === reason);
}

test('the limits are the host\'s', () => {
  assert.deepEqual([MAX_KEY_BYTES, MAX_VALUE_BYTES, MAX_KEYS, MAX_TOTAL_BYTES], [128, 4096, 256, 65536]);
});

test('set get delete round trip', () => {
  const host = new MemoryHost();
  assert.equal(host.stateGet('k'), undefined);
  host.stateSet('k', bytes('v1'));
  host.stateSet('k', bytes('v22'));
  assert.deepEqual(host.stateGet('k'), bytes('v22'));
  assert.equal(host.totalBytes(), 4);
  host.stateDelete('k');
  assert.equal(host.stateGet('k'), undefined);
  assert.equal(host.totalBytes(), 0);
});

test('stored values are copies', () => {
  const host = new MemoryHost();
  const value = bytes('ab');
  host.stateSet('k', value);
  value[0] = 0;
  /** @type {Uint8Array} */ (host.stateGet('k'))[1] = 0;
  assert.equal(host.stateText('k'), 'ab');
});

test('refuses oversized key and value', () => {
  const host = new MemoryHost();
  refusedWith(() => host.stateSet('k'.repeat(MAX_KEY_BYTES + 1), new Uint8Array(0)), 'too-large');
  // Keys are counted in UTF-8 bytes: 43 three-byte characters are 129 bytes.
  refusedWith(() => host.stateSet('€'.repeat(43), new Uint8Array(0)), 'too-large');
  const big = new Uint8Array(MAX_VALUE_BYTES + 1);
  refusedWith(() => host.stateSet('k', big), 'too-large');
  host.stateSet('k'.repeat(MAX_KEY_BYTES), big.subarray(1));
});

test('enforces key count quota', () => {
  const host = new MemoryHost();
  for (let i = 0; i < MAX_KEYS; i += 1) host.stateSet(`k${i}`, new Uint8Array(0));
  refusedWith(() => host.stateSet('one-more', new Uint8Array(0)), 'quota-exceeded');
  // Replacing an existing key is still fine.
  host.stateSet('k0', bytes('x'));
});

test('enforces total bytes quota', () => {
  const host = new MemoryHost();
  const value = new Uint8Array(MAX_VALUE_BYTES);
  // 15 keys of 2 bytes plus 4 KiB each fit in 64 KiB; the 16th does not.
  for (let i = 0; i < 15; i += 1) host.stateSet(String(i).padStart(2, '0'), value);
  refusedWith(() => host.stateSet('15', value), 'quota-exceeded');
  assert.equal(host.state.size, 15);
});

test('state is in key order', () => {
  const host = new MemoryHost();
  host.stateSet('b', bytes('2'));
  host.stateSet('a', bytes('1'));
  assert.deepEqual([...host.state.keys()], ['a', 'b']);
});

test('captures logs in order and refuses unknown levels', () => {
  const host = new MemoryHost();
  host.log('info', 'first');
  host.log('warn', 'second');
  assert.deepEqual(host.logs, [{ level: 'info', message: 'first' }, { level: 'warn', message: 'second' }]);
  assert.throws(() => host.log(/** @type {any} */ ('warning'), 'x'), TypeError);
});

test('refuses what the WIT types would refuse', () => {
  const host = new MemoryHost();
  assert.throws(() => host.stateSet('k', /** @type {any} */ ('text')), TypeError);
  assert.throws(() => host.stateGet(/** @type {any} */ (1)), TypeError);
});
