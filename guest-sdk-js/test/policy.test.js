// Tests of policy.js and export.js: defaults, refusals and how the world exports behave.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ConfigError, validateConfig } from '../switchyard/config.js';
import { exportPolicy } from '../switchyard/export.js';
import { positiveInt } from '../switchyard/fields.js';
import { MemoryHost } from '../switchyard/memory-host.js';
import { decide } from '../switchyard/plan.js';
import { definePolicy } from '../switchyard/policy.js';
import { eligible } from '../switchyard/select.js';
import { call, candidate } from '../switchyard/testing.js';

const ringAll = definePolicy({
  route: (_host, c, candidates) => decide('simultaneous', eligible(candidates, c), candidates),
});

test('only route is required; the rest default as in the Rust SDK', () => {
  const host = new MemoryHost();
  assert.deepEqual(ringAll.route(host, call(), [candidate(1)], ''), {
    tag: 'ring', val: { mode: 'simultaneous', targets: [{ agent: 1n, timeoutMs: 20_000 }] },
  });
  assert.deepEqual(ringAll.overflow(host, call(), 'all-busy', ''), { tag: 'queue', val: { maxWaitMs: 120_000, priority: 0 } });
  assert.deepEqual(ringAll.overflow(host, call(), 'out-of-hours', ''), { tag: 'voicemail', val: '' });
  assert.equal(ringAll.visibility(host, { agent: 1n, role: 'agent' }, { agent: 2n, role: 'agent', status: 'available', presence: 'idle' }, ''), 'coarse');
  ringAll.checkConfig('');
  ringAll.checkConfig('[1, 2]');
  assert.throws(() => ringAll.checkConfig('{'), ConfigError);
  assert.ok(Object.isFrozen(ringAll));
});

test('definePolicy refuses what is not a policy', () => {
  assert.throws(() => definePolicy(/** @type {any} */ ({})), /needs route/);
  assert.throws(() => definePolicy(/** @type {any} */ (null)), TypeError);
  assert.throws(() => definePolicy(/** @type {any} */ ({ route() {}, checkconfig() {} })), /unknown policy member `checkconfig`/);
  assert.throws(() => definePolicy(/** @type {any} */ ({ route() {}, overflow: 3 })), /`overflow` is not a function/);
});

test('the exports call the policy with the host', () => {
  const host = new MemoryHost();
  /** @type {unknown[]} */
  const seen = [];
  const exports = exportPolicy({
    route(h, c, candidates, config) {
      seen.push(h, config);
      return ringAll.route(h, c, candidates, config);
    },
  }, host);
  assert.deepEqual(Object.keys(exports), ['route', 'overflow', 'visibility', 'checkConfig']);
  assert.equal(exports.route(call(), [candidate(2)], 'cfg').tag, 'ring');
  assert.deepEqual(seen, [host, 'cfg']);
  assert.deepEqual(exports.overflow(call(), 'no-answer', ''), { tag: 'voicemail', val: '' });
  assert.equal(exports.visibility({ agent: 1n, role: 'admin' }, { agent: 2n, role: 'agent', status: 'available', presence: 'idle' }, ''), 'full');
});

test('check-config throws the message string for err, and returns for ok', () => {
  const exports = exportPolicy({
    route: ringAll.route,
    checkConfig(config) {
      validateConfig(config, { max_targets: positiveInt({ default: 1 }) });
      if (config.includes('"max_targets": 7')) throw new ConfigError('seven is unlucky');
    },
  }, new MemoryHost());
  assert.equal(exports.checkConfig('{"max_targets": 2}'), undefined);
  assert.throws(() => exports.checkConfig('{"max_target": 2}'), (thrown) => {
    assert.equal(typeof thrown, 'string');
    assert.match(String(thrown), /^invalid policy config field `max_target`: unknown field `max_target`/);
    return true;
  });
  assert.throws(() => exports.checkConfig('{"max_targets": 7}'), (thrown) => thrown === 'invalid policy config: seven is unlucky');
});

test('an unexpected exception is logged with its stack and rethrown', () => {
  const host = new MemoryHost();
  const bug = new TypeError('boom');
  const exports = exportPolicy({
    route() { throw bug; },
    checkConfig() { throw bug; },
  }, host);
  assert.throws(() => exports.route(call(), [], ''), (thrown) => thrown === bug);
  assert.throws(() => exports.checkConfig(''), (thrown) => thrown === bug);
  assert.equal(host.logs.length, 2);
  assert.equal(host.logs[0].level, 'error');
  assert.match(host.logs[0].message, /^policy route threw: TypeError: boom\n/);
  assert.match(host.logs[1].message, /^policy checkConfig threw: TypeError: boom/);
});
