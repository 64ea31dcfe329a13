// Declarative value types (fields) that read parsed JSON into checked values, with serde-like messages.
//
// A config (or a state value) is described by fields: `object({ring_timeout_ms: ringTimeout(),
// max_targets: optional(positiveInt())})`. Each field knows what it accepts, its default and how to
// read a JSON value; a value it refuses is a `FieldError` naming the path, worded like serde's
// errors so the Rust, Python and JavaScript SDKs explain a bad config alike.

import { JsonFloat } from './json.js';

/**
 * A value a field refuses, at `path` (`.` for the top, then `a.b[0].c`).
 */
export class FieldError extends Error {
  /**
   * @param {string} message what is wrong, e.g. ``invalid type: string "2", expected u32``
   * @param {string} path where (`.` for the top level)
   * @param {'value' | 'unknown-field' | 'duplicate-field'} [kind] what sort of problem
   */
  constructor(message, path, kind = 'value') {
    super(message);
    this.name = 'FieldError';
    /** Where the problem is, e.g. `hours[0].open`; `.` for the top level. */
    this.path = path;
    /** `value` (wrong type or value, missing field), `unknown-field` or `duplicate-field`. */
    this.kind = kind;
  }
}

/**
 * A value type: what it accepts, its default and how to read a parsed JSON value.
 * @template T
 */
export class Field {
  /**
   * @param {object} spec
   * @param {string} spec.expected what it accepts, for messages (`u32`, `a string`)
   * @param {(value: unknown, path: string) => T} spec.read reads a parsed JSON value (numbers
   *   written with a fraction or exponent arrive as `JsonFloat`) or throws a `FieldError`
   * @param {() => T} [spec.makeDefault] the value when absent; without it the field is required
   */
  constructor({ expected, read, makeDefault }) {
    /** What the field accepts, for messages. */
    this.expected = expected;
    /** Whether the field may be left out (it has a default). */
    this.hasDefault = makeDefault !== undefined;
    this.#read = read;
    this.#makeDefault = makeDefault;
    Object.freeze(this);
  }

  /** @type {(value: unknown, path: string) => T} */
  #read;

  /** @type {(() => T) | undefined} */
  #makeDefault;

  /**
   * Reads `value` (found at `path`).
   * @param {unknown} value
   * @param {string} [path]
   * @returns {T}
   * @throws {FieldError}
   */
  read(value, path = '.') {
    return this.#read(value, path);
  }

  /**
   * The value when absent (a fresh one each time).
   * @returns {T}
   * @throws {TypeError} if the field has no default
   */
  default() {
    if (this.#makeDefault === undefined) throw new TypeError(`a required field (${this.expected}) has no default`);
    return this.#makeDefault();
  }
}

/**
 * The path of `key` inside `path`, as serde_path_to_error writes it.
 * @param {string} path
 * @param {string | number} key a field name or an index
 * @returns {string}
 */
export function joinPath(path, key) {
  if (typeof key === 'number') return `${path === '.' ? '' : path}[${key}]`;
  return path === '.' ? key : `${path}.${key}`;
}

/**
 * Describes a JSON value as serde's `Unexpected` does: ``integer `5` ``, ``string "x"``, `map`.
 * @param {unknown} value
 * @returns {string}
 */
export function unexpected(value) {
  if (value === null || value === undefined) return 'null';
  if (value instanceof JsonFloat) return `floating point \`${floatText(value.value)}\``;
  switch (typeof value) {
    case 'boolean':
      return `boolean \`${value}\``;
    case 'bigint':
      return `integer \`${value}\``;
    case 'number':
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${floatText(value)}\``;
    case 'string':
      return `string ${JSON.stringify(value)}`;
    default:
      return Array.isArray(value) ? 'sequence' : 'map';
  }
}

/**
 * @param {number} value
 * @returns {string} as Rust prints an f64 in serde messages (`10000.0`, `1.5`)
 */
function floatText(value) {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

/**
 * `expected`-lists as serde writes them: ``expected `a` ``, ``expected `a` or `b` ``,
 * ``expected one of `a`, `b`, `c` ``.
 * @param {readonly string[]} names
 * @param {string} none what to say when there are none
 * @returns {string}
 */
export function expectedOneOf(names, none) {
  const quoted = names.map((name) => `\`${name}\``);
  if (quoted.length === 0) return none;
  if (quoted.length === 1) return `expected ${quoted[0]}`;
  if (quoted.length === 2) return `expected ${quoted[0]} or ${quoted[1]}`;
  return `expected one of ${quoted.join(', ')}`;
}

/**
 * @param {unknown} value
 * @param {string} expected
 * @param {string} path
 * @returns {FieldError}
 */
function invalidType(value, expected, path) {
  return new FieldError(`invalid type: ${unexpected(value)}, expected ${expected}`, path);
}

/**
 * @template T
 * @param {T | undefined} value
 * @param {boolean} given whether a default was given
 * @returns {(() => T) | undefined}
 */
function constant(value, given) {
  return given ? () => /** @type {T} */ (value) : undefined;
}

/**
 * An integer in `min..=max` (inclusive; numbers or BigInt). Integers come out as numbers, or
 * as BigInt with `bigint: true`.
 * @param {object} [options]
 * @param {number | bigint} [options.min] smallest accepted (default 0)
 * @param {number | bigint} [options.max] largest accepted (default 2^32 - 1)
 * @param {number | bigint} [options.default] the value when absent (without it: required)
 * @param {boolean} [options.bigint] return BigInt instead of numbers
 * @param {string} [options.expected] what it accepts, for messages
 * @returns {Field<any>}
 */
export function integer(options = {}) {
  const min = BigInt(options.min ?? 0);
  const max = BigInt(options.max ?? 0xffffffff);
  const expected = options.expected ?? `an integer in ${min}..=${max}`;
  const out = options.bigint ? BigInt : Number;
  return new Field({
    expected,
    read(value, path) {
      const isInteger = typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
      if (!isInteger) throw invalidType(value, expected, path);
      const n = BigInt(/** @type {number | bigint} */ (value));
      if (n < min || n > max) throw new FieldError(`invalid value: integer \`${n}\`, expected ${expected}`, path);
      return out(n);
    },
    makeDefault: constant(options.default === undefined ? undefined : out(options.default), 'default' in options),
  });
}

/**
 * An unsigned 8-bit integer (a number), as Rust's `u8`.
 * @param {{default?: number}} [options] the value when absent (without it: required)
 * @returns {Field<number>}
 */
export function u8(options = {}) {
  return integer({ ...options, max: 0xff, expected: 'u8' });
}

/**
 * An unsigned 16-bit integer (a number), as Rust's `u16`.
 * @param {{default?: number}} [options] the value when absent (without it: required)
 * @returns {Field<number>}
 */
export function u16(options = {}) {
  return integer({ ...options, max: 0xffff, expected: 'u16' });
}

/**
 * An unsigned 32-bit integer (a number), as Rust's `u32`.
 * @param {{default?: number}} [options] the value when absent (without it: required)
 * @returns {Field<number>}
 */
export function u32(options = {}) {
  return integer({ ...options, max: 0xffffffff, expected: 'u32' });
}

/**
 * An unsigned 64-bit integer, as a BigInt (Rust's `u64`: agent and department ids).
 * @param {{default?: bigint | number}} [options] the value when absent (without it: required)
 * @returns {Field<bigint>}
 */
export function u64(options = {}) {
  return integer({ ...options, max: 0xffffffffffffffffn, bigint: true, expected: 'u64' });
}

/**
 * A whole number of at least 1 (a number), as Rust's `NonZeroUsize` on wasm32 (at most 2^32 - 1).
 * @param {{default?: number}} [options] the value when absent (without it: required; wrap
 *   in `optional` for "absent means no limit")
 * @returns {Field<number>}
 */
export function positiveInt(options = {}) {
  return integer({ ...options, min: 1, max: 0xffffffff, expected: 'a nonzero usize' });
}

/**
 * Any JSON number (an integer or not), as Rust's `f64`.
 * @param {{default?: number}} [options] the value when absent (without it: required)
 * @returns {Field<number>}
 */
export function number(options = {}) {
  return new Field({
    expected: 'f64',
    read(value, path) {
      if (value instanceof JsonFloat) return value.value;
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
      throw invalidType(value, 'f64', path);
    },
    makeDefault: constant(options.default, 'default' in options),
  });
}

/**
 * A string.
 * @param {{default?: string}} [options] the value when absent (default `''`)
 * @returns {Field<string>}
 */
export function string(options = {}) {
  const fallback = options.default ?? '';
  return new Field({
    expected: 'a string',
    read(value, path) {
      if (typeof value !== 'string') throw invalidType(value, 'a string', path);
      return value;
    },
    makeDefault: () => fallback,
  });
}

/**
 * `true` or `false`.
 * @param {{default?: boolean}} [options] the value when absent (default `false`)
 * @returns {Field<boolean>}
 */
export function boolean(options = {}) {
  const fallback = options.default ?? false;
  return new Field({
    expected: 'a boolean',
    read(value, path) {
      if (typeof value !== 'boolean') throw invalidType(value, 'a boolean', path);
      return value;
    },
    makeDefault: () => fallback,
  });
}

/**
 * One of a few strings, as a Rust enum with `#[serde(rename_all = "kebab-case")]`.
 * @template {string} S
 * @param {readonly S[]} names the accepted strings
 * @param {{default?: S}} [options] the value when absent (without it: required)
 * @returns {Field<S>}
 */
export function oneOf(names, options = {}) {
  const accepted = Object.freeze([...names]);
  if (options.default !== undefined && !accepted.includes(options.default)) {
    throw new TypeError(`default ${JSON.stringify(options.default)} is not one of ${accepted.join(', ')}`);
  }
  const expected = expectedOneOf(accepted, 'there are no variants').replace(/^expected /, '');
  return new Field({
    expected,
    read(value, path) {
      if (typeof value !== 'string') throw invalidType(value, expected, path);
      if (!accepted.includes(/** @type {S} */ (value))) {
        throw new FieldError(`unknown variant \`${value}\`, ${expectedOneOf(accepted, 'there are no variants')}`, path);
      }
      return /** @type {S} */ (value);
    },
    makeDefault: constant(options.default, options.default !== undefined),
  });
}

/**
 * `field`, or nothing: absent or `null` gives `undefined` (Rust's `Option<T>`).
 * @template T
 * @param {Field<T>} field
 * @returns {Field<T | undefined>}
 */
export function optional(field) {
  return new Field({
    expected: field.expected,
    read(value, path) {
      return value === null ? undefined : field.read(value, path);
    },
    makeDefault: () => undefined,
  });
}

/**
 * A JSON array whose every item is a `field` (Rust's `Vec<T>`).
 * @template T
 * @param {Field<T>} field
 * @param {{default?: T[]}} [options] the value when absent (default `[]`)
 * @returns {Field<T[]>}
 */
export function list(field, options = {}) {
  const fallback = options.default ?? [];
  return new Field({
    expected: 'a sequence',
    read(value, path) {
      if (!Array.isArray(value)) throw invalidType(value, 'a sequence', path);
      return value.map((item, index) => field.read(item, joinPath(path, index)));
    },
    makeDefault: () => [...fallback],
  });
}

/**
 * Any JSON value, as parsed (big integers as BigInt).
 * @param {{default?: unknown}} [options] the value when absent (default `null`)
 * @returns {Field<unknown>}
 */
export function json(options = {}) {
  const fallback = 'default' in options ? options.default : null;
  return new Field({
    expected: 'any value',
    read: (value) => plain(value),
    makeDefault: () => fallback,
  });
}

/**
 * @param {unknown} value
 * @returns {unknown} `value` with every `JsonFloat` replaced by its number
 */
function plain(value) {
  if (value instanceof JsonFloat) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: plain(item), writable: true, enumerable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * @typedef {Record<string, Field<any>>} Fields
 */

/**
 * The object a `Fields` description reads into.
 * @template {Fields} F
 * @typedef {{ [K in keyof F]: F[K] extends Field<infer T> ? T : never }} ObjectOf
 */

/**
 * A JSON object with exactly these fields (Rust's struct with `#[serde(deny_unknown_fields,
 * default)]`): unknown fields are refused, absent ones take their field's default (a field
 * without a default is required). The field names are the JSON names, kept as written
 * (`ring_timeout_ms`), so one config suits the Rust, Python and JavaScript versions of a
 * policy.
 * @template {Fields} F
 * @param {F} fields
 * @returns {Field<ObjectOf<F>>}
 */
export function object(fields) {
  const names = Object.keys(fields);
  for (const name of names) {
    if (!(fields[name] instanceof Field)) throw new TypeError(`field \`${name}\` is not a field type (use u32(), string(), optional(...), ...)`);
  }
  /** @returns {ObjectOf<F>} */
  const makeDefault = () => {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const name of names) out[name] = fields[name].default();
    return /** @type {ObjectOf<F>} */ (out);
  };
  return new Field({
    expected: 'a JSON object',
    read(value, path) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof JsonFloat) {
        throw invalidType(value, 'a JSON object', path);
      }
      const given = /** @type {Record<string, unknown>} */ (value);
      for (const key of Object.keys(given)) {
        if (!Object.prototype.hasOwnProperty.call(fields, key)) {
          throw new FieldError(`unknown field \`${key}\`, ${expectedOneOf(names, 'there are no fields')}`, joinPath(path, key), 'unknown-field');
        }
      }
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const name of names) {
        const field = fields[name];
        if (Object.prototype.hasOwnProperty.call(given, name)) {
          out[name] = field.read(given[name], joinPath(path, name));
        } else if (field.hasDefault) {
          out[name] = field.default();
        } else {
          throw new FieldError(`missing field \`${name}\``, path);
        }
      }
      return /** @type {ObjectOf<F>} */ (out);
    },
    makeDefault: names.every((name) => fields[name].hasDefault) ? makeDefault : undefined,
  });
}

/**
 * `field` with a rule of the policy's own: `check(value)` returns nothing (or `true`) when
 * the value is fine and a message saying what is wrong otherwise. The default is not checked.
 * @template T
 * @param {Field<T>} field
 * @param {(value: T) => (string | boolean | undefined | void)} check
 * @returns {Field<T>}
 */
export function refine(field, check) {
  return new Field({
    expected: field.expected,
    read(value, path) {
      const read = field.read(value, path);
      const verdict = check(read);
      if (verdict === undefined || verdict === true) return read;
      throw new FieldError(typeof verdict === 'string' ? verdict : `invalid value: ${unexpected(value)}, expected ${field.expected}`, path);
    },
    makeDefault: field.hasDefault ? () => field.default() : undefined,
  });
}

/**
 * `schema` as a field: a `Field` as is, a plain object of fields as `object(schema)`.
 * @param {Field<any> | Fields} schema
 * @returns {Field<any>}
 */
export function asField(schema) {
  if (schema instanceof Field) return schema;
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) return object(schema);
  throw new TypeError('a schema is a field type or an object of field types');
}
