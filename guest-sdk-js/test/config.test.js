// Tests of config.js (ported from the Rust SDK's config.rs, with its messages).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkJson, ConfigError, loadConfig, parseConfig, validateConfig } from '../switchyard/config.js';
import { object, optional, positiveInt, string, u32 } from '../switchyard/fields.js';
import { MemoryHost } from '../switchyard/memory-host.js';
import { ringTimeout } from '../switchyard/plan.js';

const Config = { name: string(), inner: object({ count: u32({ default: 0 }) }) };
const defaults = { name: '', inner: { count: 0 } };

/**
 * The message of the ConfigError `run` throws.
 * @param {() => unknown} run
 * @returns {ConfigError}
 */
function refusal(run) {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('no ConfigError');
}

test('empty and blank mean default', () => {
  assert.deepEqual(parseConfig('', Config), defaults);
  assert.deepEqual(parseConfig(' \n\t', Config), defaults);
  assert.deepEqual(parseConfig('{}', Config), defaults);
});

test('parses nested fields', () => {
  const c = parseConfig('{"name": "x", "inner": {"count": 3}}', Config);
  assert.equal(c.name, 'x');
  assert.equal(c.inner.count, 3);
});

test('type error names the nested field', () => {
  const err = refusal(() => parseConfig('{"inner": {"count": "three"}}', Config));
  assert.equal(err.path, 'inner.count');
  assert.match(err.message, /`inner\.count`/);
  assert.match(err.message, /invalid type/);
  assert.match(err.message, /hint:/);
  assert.equal(err.message, 'invalid policy config field `inner.count`: invalid type: string "three", expected u32 (hint: check the value against the policy\'s documented config)');
});

test('unknown field is named', () => {
  const msg = refusal(() => parseConfig('{"nmae": "x"}', Config)).message;
  assert.match(msg, /unknown field `nmae`/);
  assert.match(msg, /spelling/);
  assert.equal(msg, "invalid policy config field `nmae`: unknown field `nmae`, expected `name` or `inner` (hint: fix the field's spelling or remove it)");
});

test('duplicate field is refused', () => {
  const err = refusal(() => parseConfig('{"name": "a", "name": "b"}', Config));
  assert.equal(err.path, 'name');
  assert.match(err.message, /duplicate field `name`/);
});

test('syntax and trailing garbage are errors', () => {
  assert.match(refusal(() => parseConfig('{', Config)).message, /JSON object/);
  assert.ok(refusal(() => parseConfig('{} {}', Config)).message.includes('trailing characters'));
  assert.match(refusal(() => parseConfig('[]', Config)).message, /expected a JSON object/);
  assert.equal(refusal(() => parseConfig('[]', Config)).message, 'invalid policy config: expected a JSON object (hint: the config must be a JSON object such as {})');
  refusal(() => parseConfig('3', Config));
  refusal(() => parseConfig('null', Config));
});

test('a missing required field is named', () => {
  const msg = refusal(() => parseConfig('{}', { limit: positiveInt() })).message;
  assert.equal(msg, 'invalid policy config: missing field `limit` (hint: the config must be a JSON object such as {})');
});

test('check json accepts any json or nothing', () => {
  checkJson('');
  checkJson('{"anything": [1, 2]}');
  checkJson('[]');
  checkJson('{"a": 1, "a": 2}');
  assert.match(refusal(() => checkJson('{')).message, /invalid policy config/);
  assert.match(refusal(() => checkJson('{')).message, /\(hint: write a JSON object such as \{\}, or leave the config empty for the defaults\)$/);
});

test('validate reports the message', () => {
  validateConfig('', Config);
  assert.match(refusal(() => validateConfig('{"name": 1}', Config)).message, /`name`/);
});

test('a policy message has no serde hint', () => {
  const err = new ConfigError('hours overlap');
  assert.equal(err.path, '.');
  assert.equal(err.message, 'invalid policy config: hours overlap');
  assert.equal(err.hint, undefined);
  assert.ok(err instanceof Error);
  assert.equal(new ConfigError('`close` must be after `open`').message, 'invalid policy config: `close` must be after `open`');
});

test('load logs and falls back to default', () => {
  const host = new MemoryHost();
  const c = loadConfig(host, '{"name": 1}', Config);
  assert.deepEqual(c, defaults);
  assert.equal(host.logs.length, 1);
  assert.equal(host.logs[0].level, 'error');
  assert.match(host.logs[0].message, /; using the default config$/);
});

test('the ports\' config refuses what the Rust plugins refuse, with the same messages', () => {
  const Ports = { ring_timeout_ms: ringTimeout(), max_targets: optional(positiveInt()) };
  assert.deepEqual(parseConfig('{"max_targets": null}', Ports), { ring_timeout_ms: 20_000, max_targets: undefined });
  // Messages as the Rust plugins log them, without serde_json's "at line 1 column N".
  const cases = {
    '{"max_target": 3}': 'invalid policy config field `max_target`: unknown field `max_target`, expected `ring_timeout_ms` or `max_targets` (hint: fix the field\'s spelling or remove it)',
    '{"max_targets": 0}': 'invalid policy config field `max_targets`: invalid value: integer `0`, expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"max_targets": -1}': 'invalid policy config field `max_targets`: invalid value: integer `-1`, expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"max_targets": 1.5}': 'invalid policy config field `max_targets`: invalid type: floating point `1.5`, expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"max_targets": "2"}': 'invalid policy config field `max_targets`: invalid type: string "2", expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"max_targets": [1]}': 'invalid policy config field `max_targets`: invalid type: sequence, expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"max_targets": {}}': 'invalid policy config field `max_targets`: invalid type: map, expected a nonzero usize (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": 500}': 'invalid policy config field `ring_timeout_ms`: ring timeout 500 ms is out of range 1000..=120000 (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": 4294967296}': 'invalid policy config field `ring_timeout_ms`: invalid value: integer `4294967296`, expected u32 (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": true}': 'invalid policy config field `ring_timeout_ms`: invalid type: boolean `true`, expected u32 (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": null}': 'invalid policy config field `ring_timeout_ms`: invalid type: null, expected u32 (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": -5}': 'invalid policy config field `ring_timeout_ms`: invalid value: integer `-5`, expected u32 (hint: check the value against the policy\'s documented config)',
    '{"ring_timeout_ms": 1e4}': 'invalid policy config field `ring_timeout_ms`: invalid type: floating point `10000.0`, expected u32 (hint: check the value against the policy\'s documented config)',
    '"x"': 'invalid policy config: expected a JSON object (hint: the config must be a JSON object such as {})',
  };
  for (const [config, message] of Object.entries(cases)) {
    assert.equal(refusal(() => parseConfig(config, Ports)).message, message, config);
  }
});
