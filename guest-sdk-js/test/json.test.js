// Tests of json.js: strict parsing without losing integers, and serde_json-compatible writing.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  JsonDuplicateKeyError, JsonEncodeError, JsonFloat, JsonSyntaxError, MAX_DEPTH, parseJson, stringifyJson,
} from '../switchyard/json.js';

test('parses every JSON value', () => {
  assert.deepEqual(parseJson(' {"a": [1, -2, 1.5, true, false, null, "x\\n\\u00e9\\ud83d\\ude00"]} '), {
    a: [1, -2, 1.5, true, false, null, 'x\né😀'],
  });
  assert.equal(parseJson('"\\/\\b\\f\\r\\t\\"\\\\"'), '/\b\f\r\t"\\');
  assert.equal(parseJson('-0'), 0);
});

test('integers a double cannot hold exactly are BigInt', () => {
  assert.equal(parseJson('9007199254740991'), 9007199254740991);
  assert.equal(parseJson('9007199254740993'), 9007199254740993n);
  assert.equal(parseJson('18446744073709551615'), 18446744073709551615n);
  assert.equal(parseJson('-9007199254740993'), -9007199254740993n);
});

test('floats are marked on request', () => {
  assert.equal(parseJson('1e4'), 10000);
  assert.deepEqual(parseJson('[1e4, 10.0, 3]', { markFloats: true }), [new JsonFloat(10000), new JsonFloat(10), 3]);
});

test('duplicate keys: last wins, or an error naming the path', () => {
  assert.deepEqual(parseJson('{"a": 1, "a": 2}'), { a: 2 });
  assert.throws(() => parseJson('{"x": [{"a": 1, "a": 2}]}', { duplicates: 'error' }), (error) => {
    assert.ok(error instanceof JsonDuplicateKeyError);
    assert.deepEqual(error.path, ['x', 0, 'a']);
    assert.equal(error.message, 'duplicate field `a`');
    return true;
  });
});

test('__proto__ is a plain key', () => {
  const value = /** @type {any} */ (parseJson('{"__proto__": {"polluted": 1}}'));
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__']);
  assert.equal(/** @type {any} */ ({}).polluted, undefined);
});

test('refuses what serde_json refuses, with its wording and position', () => {
  const cases = {
    '': 'EOF while parsing a value at line 1 column 1',
    '{': 'EOF while parsing an object at line 1 column 2',
    '{"a" 1}': 'expected `:` at line 1 column 6',
    '{"a": 1,}': 'trailing comma at line 1 column 9',
    '[1,]': 'trailing comma at line 1 column 4',
    '[1 2]': 'expected `,` or `]` at line 1 column 4',
    '{"a": 1 "b": 2}': 'expected `,` or `}` at line 1 column 9',
    '{a: 1}': 'key must be a string at line 1 column 2',
    '{} {}': 'trailing characters at line 1 column 4',
    'tru': 'expected ident at line 1 column 1',
    'x': 'expected value at line 1 column 1',
    '01': 'invalid number at line 1 column 2',
    '1.': 'invalid number at line 1 column 2',
    '1e999': 'number out of range at line 1 column 6',
    '"\\x"': 'invalid escape at line 1 column 3',
    '"\\ud800"': 'unexpected end of hex escape at line 1 column 8',
    '"\\udc00"': 'lone leading surrogate in hex escape at line 1 column 8',
    '"a\nb"': 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3',
    '"abc': 'EOF while parsing a string at line 1 column 5',
    '{\n  "a": }': 'expected value at line 2 column 8',
    "{'a': 1}": 'key must be a string at line 1 column 2',
    'NaN': 'expected value at line 1 column 1',
  };
  for (const [text, message] of Object.entries(cases)) {
    assert.throws(() => parseJson(text), (error) => {
      assert.ok(error instanceof JsonSyntaxError, `${text}: ${error}`);
      assert.equal(error.message, message, text);
      return true;
    });
  }
});

test('nesting is limited as serde_json\'s recursion limit', () => {
  parseJson('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH));
  assert.throws(() => parseJson('['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1)), /recursion limit exceeded/);
});

test('writes compact JSON with BigInt as plain numbers, as serde_json::to_vec', () => {
  assert.equal(stringifyJson(12n), '12');
  assert.equal(stringifyJson(18446744073709551615n), '18446744073709551615');
  assert.equal(stringifyJson({ a: [1, 'x', null, true], b: undefined, c: () => 1, d: { e: 2n } }), '{"a":[1,"x",null,true],"d":{"e":2}}');
  assert.equal(stringifyJson([undefined, NaN, Infinity]), '[null,null,null]');
  assert.equal(stringifyJson(BigUint64Array.of(1n, 2n)), '[1,2]');
  assert.equal(stringifyJson(Uint8Array.of(1, 2)), '[1,2]');
  assert.equal(stringifyJson('é\n"'), '"é\\n\\""');
  assert.equal(stringifyJson(new Date(0)), '"1970-01-01T00:00:00.000Z"');
  assert.equal(stringifyJson({ toJSON: () => 5n }), '5');
});

test('round trips without losing precision', () => {
  const value = { last: 2n ** 63n + 1n, small: 7, list: [1.5, 'x'] };
  assert.deepEqual(parseJson(stringifyJson(value)), value);
});

test('refuses what has no JSON form', () => {
  const cyclic = /** @type {any} */ ({});
  cyclic.self = cyclic;
  for (const value of [undefined, () => 1, Symbol('s'), new Map(), new Set(), cyclic]) {
    assert.throws(() => stringifyJson(value), JsonEncodeError);
  }
  let deep = /** @type {any} */ ([]);
  for (let i = 0; i < MAX_DEPTH; i += 1) deep = [deep];
  assert.throws(() => stringifyJson(deep), /recursion limit exceeded/);
});
