// Tests of wasm-host.js against a fake WIT import that behaves as the componentize-js bindings do.

import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';

import { StateError } from '../switchyard/host.js';

register('../test-support/wit-host-hooks.js', import.meta.url);
const { wasmHost } = await import('../switchyard/wasm-host.js');

/** @type {Array<[string, ...unknown[]]>} */
const calls = [];

/**
 * What the bindings throw for `err(reason)` of an import: an object of their own class whose
 * `payload` is the WIT value (seen inside a component: `ComponentError`, not `instanceof Error`).
 * @param {string} reason
 */
function componentError(reason) {
  return runInNewContext(`(() => { class ComponentError { constructor(p) { this.message = p; this.payload = p; } } return new ComponentError(${JSON.stringify(reason)}); })()`);
}

/** @type {Map<string, Uint8Array>} */
const stored = new Map();
/** @type {any} */ (globalThis).switchyardFakeHost = {
  /** @param {string} level @param {string} message */
  log: (level, message) => calls.push(['log', level, message]),
  /** @param {string} key */
  stateGet: (key) => {
    const value = stored.get(key);
    // The bindings' Uint8Array is not of the policy's realm (`instanceof Uint8Array` is false).
    return value === undefined ? undefined : runInNewContext(`new Uint8Array([${value.join(',')}])`);
  },
  /** @param {string} key @param {Uint8Array} value */
  stateSet: (key, value) => {
    if (key.length > 128) throw componentError('too-large');
    if (key === 'full') throw componentError('quota-exceeded');
    if (key === 'odd') throw new RangeError('not a state error');
    stored.set(key, value);
  },
  /** @param {string} key */
  stateDelete: (key) => stored.delete(key),
};

test('log forwards level and message', () => {
  wasmHost.log('warn', 'careful');
  assert.deepEqual(calls.at(-1), ['log', 'warn', 'careful']);
});

test('state round trips and reads back a Uint8Array of this realm', () => {
  assert.equal(wasmHost.stateGet('k'), undefined);
  wasmHost.stateSet('k', Uint8Array.of(49, 50));
  const got = wasmHost.stateGet('k');
  assert.ok(got instanceof Uint8Array);
  assert.deepEqual([...(got ?? [])], [49, 50]);
  wasmHost.stateDelete('k');
  assert.equal(wasmHost.stateGet('k'), undefined);
});

test('a refused write becomes a StateError with the WIT reason', () => {
  assert.throws(() => wasmHost.stateSet('x'.repeat(200), new Uint8Array(0)), (error) => error instanceof StateError && error.reason === 'too-large');
  assert.throws(() => wasmHost.stateSet('full', new Uint8Array(0)), (error) => error instanceof StateError && error.reason === 'quota-exceeded');
  assert.throws(() => wasmHost.stateSet('odd', new Uint8Array(0)), RangeError);
});
