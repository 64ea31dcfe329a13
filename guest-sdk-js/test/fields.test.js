// Tests of fields.js: each value type's reading, defaults and messages.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  boolean, expectedOneOf, FieldError, integer, joinPath, json, list, number, object, oneOf, optional,
  positiveInt, refine, string, u16, u32, u64, u8, unexpected,
} from '../switchyard/fields.js';
import { JsonFloat, parseJson } from '../switchyard/json.js';

/**
 * @param {() => unknown} run
 * @returns {FieldError}
 */
function refused(run) {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FieldError, String(error));
    return error;
  }
  assert.fail('no FieldError');
}

test('unsigned integers are range checked as Rust types', () => {
  assert.equal(u8().read(255), 255);
  assert.match(refused(() => u8().read(256)).message, /invalid value: integer `256`, expected u8/);
  assert.equal(u16().read(65_535), 65_535);
  assert.equal(u32().read(4_294_967_295), 4_294_967_295);
  assert.match(refused(() => u32().read(-1)).message, /expected u32/);
  assert.equal(u64().read(18446744073709551615n), 18446744073709551615n);
  assert.equal(u64().read(12), 12n);
  assert.match(refused(() => u64().read(18446744073709551616n)).message, /expected u64/);
  assert.match(refused(() => u32().read(new JsonFloat(3))).message, /invalid type: floating point `3.0`, expected u32/);
  assert.match(refused(() => u32().read(2.5)).message, /floating point `2.5`/);
});

test('integer takes bounds and a default; without a default it is required', () => {
  const small = integer({ min: 1, max: 10, default: 3 });
  assert.equal(small.default(), 3);
  assert.equal(small.read(10), 10);
  assert.match(refused(() => small.read(11)).message, /invalid value: integer `11`, expected an integer in 1\.\.=10/);
  assert.equal(u32().hasDefault, false);
  assert.throws(() => u32().default(), TypeError);
  assert.equal(u64({ default: 5 }).default(), 5n);
});

test('positive int is a nonzero usize', () => {
  assert.equal(positiveInt().read(1), 1);
  assert.match(refused(() => positiveInt().read(0)).message, /invalid value: integer `0`, expected a nonzero usize/);
  assert.match(refused(() => positiveInt().read(4_294_967_296)).message, /expected a nonzero usize/);
});

test('number, string and boolean', () => {
  assert.equal(number().read(new JsonFloat(1.5)), 1.5);
  assert.equal(number().read(2), 2);
  assert.match(refused(() => number().read('1')).message, /invalid type: string "1", expected f64/);
  assert.equal(string().default(), '');
  assert.equal(string().read('x'), 'x');
  assert.match(refused(() => string().read(1)).message, /invalid type: integer `1`, expected a string/);
  assert.equal(boolean().default(), false);
  assert.equal(boolean({ default: true }).default(), true);
  assert.match(refused(() => boolean().read('true')).message, /expected a boolean/);
});

test('one of names the accepted strings as serde does', () => {
  const mode = oneOf(['simultaneous', 'sequential'], { default: 'sequential' });
  assert.equal(mode.default(), 'sequential');
  assert.equal(mode.read('simultaneous'), 'simultaneous');
  assert.match(refused(() => mode.read('parallel')).message, /^unknown variant `parallel`, expected `simultaneous` or `sequential`$/);
  assert.match(refused(() => mode.read(1)).message, /^invalid type: integer `1`, expected `simultaneous` or `sequential`$/);
  assert.throws(() => oneOf(['a'], { default: /** @type {any} */ ('b') }), TypeError);
  assert.equal(expectedOneOf(['a'], 'none'), 'expected `a`');
  assert.equal(expectedOneOf(['a', 'b', 'c'], 'none'), 'expected one of `a`, `b`, `c`');
  assert.equal(expectedOneOf([], 'there are no fields'), 'there are no fields');
});

test('optional reads null and absence as undefined', () => {
  const limit = optional(positiveInt());
  assert.equal(limit.default(), undefined);
  assert.equal(limit.read(null), undefined);
  assert.equal(limit.read(2), 2);
});

test('list reads every item and names the index', () => {
  const ids = list(u64());
  assert.deepEqual(ids.read([1, 2]), [1n, 2n]);
  assert.deepEqual(ids.default(), []);
  const err = refused(() => object({ ids }).read({ ids: [1, 'x'] }));
  assert.equal(err.path, 'ids[1]');
  assert.match(refused(() => ids.read({})).message, /invalid type: map, expected a sequence/);
});

test('object refuses unknown fields, defaults absent ones and requires the rest', () => {
  const hours = object({ open: u16(), close: u16({ default: 1439 }) });
  const Config = object({ hours: list(hours), name: string() });
  assert.deepEqual(Config.read({ hours: [{ open: 540 }] }), { hours: [{ open: 540, close: 1439 }], name: '' });
  assert.equal(refused(() => Config.read({ hours: [{ open: 1, clsoe: 2 }] })).path, 'hours[0].clsoe');
  assert.equal(refused(() => Config.read({ hours: [{ open: 1, clsoe: 2 }] })).kind, 'unknown-field');
  const missing = refused(() => Config.read({ hours: [{}] }));
  assert.equal(missing.path, 'hours[0]');
  assert.equal(missing.message, 'missing field `open`');
  assert.equal(hours.hasDefault, false);
  assert.equal(Config.hasDefault, true);
  assert.match(refused(() => object({}).read({ a: 1 })).message, /unknown field `a`, there are no fields/);
  assert.match(refused(() => Config.read([])).message, /invalid type: sequence, expected a JSON object/);
  assert.throws(() => object({ a: /** @type {any} */ (3) }), TypeError);
});

test('refine adds a rule of the policy\'s own', () => {
  const minute = refine(u16({ default: 0 }), (m) => m <= 1439 || `minute ${m} is past 23:59`);
  assert.equal(minute.read(600), 600);
  assert.equal(minute.default(), 0);
  assert.match(refused(() => minute.read(1440)).message, /^minute 1440 is past 23:59$/);
  const even = refine(u32(), (n) => n % 2 === 0);
  assert.match(refused(() => even.read(3)).message, /invalid value: integer `3`, expected u32/);
});

test('json keeps any value, with floats as numbers', () => {
  const anything = json();
  assert.equal(anything.default(), null);
  assert.deepEqual(anything.read(parseJson('{"a": [1.5, 2], "b": 18446744073709551615}', { markFloats: true })), { a: [1.5, 2], b: 18446744073709551615n });
});

test('paths and unexpected values read as serde_path_to_error and serde write them', () => {
  assert.equal(joinPath('.', 'a'), 'a');
  assert.equal(joinPath('a', 'b'), 'a.b');
  assert.equal(joinPath('a', 0), 'a[0]');
  assert.equal(joinPath('.', 0), '[0]');
  assert.equal(unexpected(null), 'null');
  assert.equal(unexpected(true), 'boolean `true`');
  assert.equal(unexpected(5), 'integer `5`');
  assert.equal(unexpected(5n), 'integer `5`');
  assert.equal(unexpected(new JsonFloat(10)), 'floating point `10.0`');
  assert.equal(unexpected('x'), 'string "x"');
  assert.equal(unexpected([]), 'sequence');
  assert.equal(unexpected({}), 'map');
});

test('defaults are fresh each time', () => {
  const Config = object({ names: list(string()) });
  const a = Config.default();
  a.names.push('x');
  assert.deepEqual(Config.default().names, []);
});
