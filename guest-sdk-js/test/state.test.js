// Tests of state.js (ported from the Rust SDK's state.rs), with the Rust encoding of values.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { list, object, u64 } from '../switchyard/fields.js';
import { StateError } from '../switchyard/host.js';
import { MemoryHost } from '../switchyard/memory-host.js';
import { deleteState, getState, SetError, setState } from '../switchyard/state.js';

const bytes = (/** @type {string} */ text) => new TextEncoder().encode(text);

test('round trips typed values', () => {
  const host = new MemoryHost();
  assert.equal(getState(host, 'rr.last', u64()), undefined);
  setState(host, 'rr.last', 42n);
  assert.equal(getState(host, 'rr.last', u64()), 42n);
  assert.equal(host.stateText('rr.last'), '42');
  deleteState(host, 'rr.last');
  assert.equal(getState(host, 'rr.last', u64()), undefined);
  assert.deepEqual(host.logs, []);
});

test('reads what the Rust SDK writes and writes what it reads', () => {
  const host = new MemoryHost();
  // serde_json::to_vec(&12u64) and of u64::MAX.
  host.stateSet('a', bytes('12'));
  host.stateSet('b', bytes('18446744073709551615'));
  assert.equal(getState(host, 'a', u64()), 12n);
  assert.equal(getState(host, 'a'), 12);
  assert.equal(getState(host, 'b', u64()), 18446744073709551615n);
  assert.equal(getState(host, 'b'), 18446744073709551615n);
  setState(host, 'c', { last: 2n ** 60n, seen: [1n, 2n] });
  assert.equal(host.stateText('c'), '{"last":1152921504606846976,"seen":[1,2]}');
  assert.deepEqual(getState(host, 'c', object({ last: u64(), seen: list(u64()) })), { last: 2n ** 60n, seen: [1n, 2n] });
});

test('undecodable value is undefined and logged', () => {
  const host = new MemoryHost();
  setState(host, 'k', 'text');
  assert.equal(getState(host, 'k', u64()), undefined);
  assert.equal(host.logs[0].level, 'warn');
  assert.equal(host.logs[0].message, 'ignoring undecodable state under `k`: invalid type: string "text", expected u64');
  for (const raw of ['12.0', '-1', '{', '']) {
    host.stateSet('k', bytes(raw));
    assert.equal(getState(host, 'k', u64()), undefined, raw);
  }
  host.stateSet('k', Uint8Array.of(0x22, 0xff, 0x22));
  assert.equal(getState(host, 'k'), undefined);
  assert.match(host.logs.at(-1)?.message ?? '', /invalid UTF-8/);
  host.stateSet('k', bytes('not json'));
  assert.equal(getState(host, 'k'), undefined);
  assert.match(host.logs.at(-1)?.message ?? '', /^ignoring undecodable state under `k`: expected ident at line 1 column 1$/);
});

test('oversized value is refused by the host', () => {
  const host = new MemoryHost();
  assert.throws(() => setState(host, 'k', 'x'.repeat(5_000)), (error) => {
    assert.ok(error instanceof SetError);
    assert.equal(error.kind, 'refused');
    assert.equal(error.reason, 'too-large');
    assert.ok(error.cause instanceof StateError);
    assert.equal(error.message, 'host refused to store state key `k`');
    return true;
  });
});

test('unencodable value is an encode error', () => {
  const host = new MemoryHost();
  assert.throws(() => setState(host, 'k', new Map([[[1, 2], 3]])), (error) => {
    assert.ok(error instanceof SetError);
    assert.equal(error.kind, 'encode');
    assert.equal(error.reason, undefined);
    assert.equal(error.message, 'state value for `k` cannot be encoded as JSON');
    return true;
  });
  assert.equal(host.state.size, 0);
});
