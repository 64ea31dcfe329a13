// JSON as the Rust SDK (serde_json) reads and writes it: exact integers as BigInt, BigInt out as plain numbers.

/** Deepest nesting accepted, as serde_json's recursion limit. */
export const MAX_DEPTH = 128;

/**
 * Why a text is not JSON; the message reads like serde_json's, e.g.
 * `expected value at line 1 column 1`.
 */
export class JsonSyntaxError extends Error {
  /**
   * @param {string} message what is wrong, without the position
   * @param {number} line 1-based line of the problem
   * @param {number} column 1-based column of the problem
   */
  constructor(message, line, column) {
    super(`${message} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
    /** 1-based line of the problem. */
    this.line = line;
    /** 1-based column of the problem. */
    this.column = column;
  }
}

/** A key given twice in one object, found by `parseJson(text, {duplicates: 'error'})`. */
export class JsonDuplicateKeyError extends Error {
  /**
   * @param {string} key the repeated key
   * @param {Array<string | number>} path keys and indices of the object holding it
   */
  constructor(key, path) {
    super(`duplicate field \`${key}\``);
    this.name = 'JsonDuplicateKeyError';
    /** The repeated key. */
    this.key = key;
    /** Keys and indices leading to the repeated key, the key included. */
    this.path = [...path, key];
  }
}

/**
 * A number written with a fraction or an exponent (`1.5`, `1e4`, `10.0`), kept apart from
 * integers by `parseJson(text, {markFloats: true})` so that integer fields can refuse it as
 * serde does.
 */
export class JsonFloat {
  /** @param {number} value */
  constructor(value) {
    /** The number. */
    this.value = value;
    Object.freeze(this);
  }
}

/**
 * @typedef {object} ParseOptions
 * @property {'last' | 'error'} [duplicates] a key given twice in one object: the last one wins
 *   (default, as `serde_json::Value`) or it is a `JsonDuplicateKeyError` (as a serde struct)
 * @property {boolean} [markFloats] return numbers written with a fraction or exponent as
 *   `JsonFloat` (default false: plain numbers)
 */

/**
 * Parses strict JSON (RFC 8259, as serde_json): integers that a double holds exactly are
 * numbers, larger ones are BigInt, so no integer loses precision.
 * @param {string} text
 * @param {ParseOptions} [options]
 * @returns {unknown}
 * @throws {JsonSyntaxError | JsonDuplicateKeyError}
 */
export function parseJson(text, options = {}) {
  return new Parser(text, options).document();
}

/** A recursive-descent JSON parser over one text. */
class Parser {
  /**
   * @param {string} text
   * @param {ParseOptions} options
   */
  constructor(text, options) {
    this.text = text;
    this.at = 0;
    this.duplicatesAreErrors = options.duplicates === 'error';
    this.markFloats = options.markFloats === true;
    /** @type {Array<string | number>} */
    this.path = [];
  }

  /** @returns {unknown} the one value of the text, with nothing after it */
  document() {
    this.space();
    const value = this.value(0);
    this.space();
    if (this.at < this.text.length) this.fail('trailing characters');
    return value;
  }

  /**
   * @param {string} message
   * @param {number} [at] offset of the problem (default: the current one)
   * @returns {never}
   */
  fail(message, at = this.at) {
    let line = 1;
    let column = 1;
    for (let i = 0; i < at && i < this.text.length; i += 1) {
      if (this.text[i] === '\n') {
        line += 1;
        column = 1;
      } else {
        column += 1;
      }
    }
    throw new JsonSyntaxError(message, line, column);
  }

  space() {
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break;
      this.at += 1;
    }
  }

  /**
   * @param {number} depth nesting of the value
   * @returns {unknown}
   */
  value(depth) {
    if (this.at >= this.text.length) this.fail('EOF while parsing a value');
    const c = this.text[this.at];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) this.fail('recursion limit exceeded');
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of /** @type {const} */ ([['true', true], ['false', false], ['null', null]])) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    if (c === 't' || c === 'f' || c === 'n') this.fail('expected ident');
    return this.fail('expected value');
  }

  /**
   * @param {number} depth
   * @returns {Record<string, unknown>}
   */
  object(depth) {
    this.at += 1;
    /** @type {Record<string, unknown>} */
    const object = {};
    this.space();
    if (this.text[this.at] === '}') {
      this.at += 1;
      return object;
    }
    for (;;) {
      this.space();
      if (this.at >= this.text.length) this.fail('EOF while parsing an object');
      if (this.text[this.at] !== '"') this.fail(this.text[this.at] === '}' ? 'trailing comma' : 'key must be a string');
      const key = this.string();
      if (this.duplicatesAreErrors && Object.prototype.hasOwnProperty.call(object, key)) {
        throw new JsonDuplicateKeyError(key, this.path);
      }
      this.space();
      if (this.at >= this.text.length) this.fail('EOF while parsing an object');
      if (this.text[this.at] !== ':') this.fail('expected `:`');
      this.at += 1;
      this.space();
      this.path.push(key);
      const value = this.value(depth);
      this.path.pop();
      // `__proto__` is an own property, as with JSON.parse, not the prototype.
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      this.space();
      const next = this.text[this.at];
      this.at += 1;
      if (next === '}') return object;
      if (next === undefined) this.fail('EOF while parsing an object', this.at - 1);
      if (next !== ',') this.fail('expected `,` or `}`', this.at - 1);
    }
  }

  /**
   * @param {number} depth
   * @returns {unknown[]}
   */
  array(depth) {
    this.at += 1;
    /** @type {unknown[]} */
    const array = [];
    this.space();
    if (this.text[this.at] === ']') {
      this.at += 1;
      return array;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] === ']') this.fail('trailing comma');
      this.path.push(array.length);
      array.push(this.value(depth));
      this.path.pop();
      this.space();
      const next = this.text[this.at];
      this.at += 1;
      if (next === ']') return array;
      if (next === undefined) this.fail('EOF while parsing a list', this.at - 1);
      if (next !== ',') this.fail('expected `,` or `]`', this.at - 1);
    }
  }

  /** @returns {string} */
  string() {
    this.at += 1;
    let out = '';
    let start = this.at;
    for (;;) {
      if (this.at >= this.text.length) this.fail('EOF while parsing a string');
      const c = this.text.charCodeAt(this.at);
      if (c === 0x22) {
        out += this.text.slice(start, this.at);
        this.at += 1;
        return out;
      }
      if (c < 0x20) this.fail('control character (\\u0000-\\u001F) found while parsing a string');
      if (c === 0x5c) {
        out += this.text.slice(start, this.at);
        this.at += 1;
        out += this.escape();
        start = this.at;
      } else {
        this.at += 1;
      }
    }
  }

  /** @returns {string} the character an escape after a backslash stands for */
  escape() {
    const c = this.text[this.at];
    this.at += 1;
    const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (c !== undefined && Object.prototype.hasOwnProperty.call(simple, c)) {
      return simple[/** @type {keyof typeof simple} */ (c)];
    }
    if (c === undefined) this.fail('EOF while parsing a string');
    if (c !== 'u') this.fail('invalid escape', this.at - 1);
    const unit = this.hex4();
    if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone leading surrogate in hex escape');
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    if (this.text[this.at] !== '\\' || this.text[this.at + 1] !== 'u') {
      this.fail('unexpected end of hex escape');
    }
    this.at += 2;
    const low = this.hex4();
    if (low < 0xdc00 || low > 0xdfff) this.fail('lone leading surrogate in hex escape');
    return String.fromCharCode(unit, low);
  }

  /** @returns {number} the value of four hex digits */
  hex4() {
    const digits = this.text.slice(this.at, this.at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      this.fail(digits.length < 4 ? 'EOF while parsing a string' : 'invalid escape');
    }
    this.at += 4;
    return parseInt(digits, 16);
  }

  /** @returns {number | bigint | JsonFloat} */
  number() {
    const match = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail('invalid number');
    const literal = match[0];
    const next = this.text[this.at + literal.length];
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail('invalid number', this.at + literal.length);
    this.at += literal.length;
    if (match[1] === undefined && match[2] === undefined) {
      const value = Number(literal);
      if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
      return BigInt(literal);
    }
    const value = Number(literal);
    if (!Number.isFinite(value)) this.fail('number out of range');
    return this.markFloats ? new JsonFloat(value) : value;
  }
}

/**
 * Why a value cannot be written as JSON.
 */
export class JsonEncodeError extends TypeError {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'JsonEncodeError';
  }
}

/**
 * Writes `value` as compact JSON, as `serde_json::to_vec` does: BigInt as a plain number
 * (`12n` → `12`), typed arrays as arrays, `toJSON` honoured, object fields that are
 * `undefined` or functions left out, non-finite numbers as `null`.
 * @param {unknown} value
 * @returns {string}
 * @throws {JsonEncodeError} for a cycle, a Map or Set, a symbol, a function or `undefined` at
 *   the top, or nesting deeper than `MAX_DEPTH`
 */
export function stringifyJson(value) {
  const text = write(value, [], '');
  if (text === undefined) throw new JsonEncodeError(`${describe(value)} cannot be written as JSON`);
  return text;
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return Object.prototype.toString.call(value).slice(8, -1);
}

/**
 * @param {unknown} value
 * @param {object[]} stack objects being written, to find cycles
 * @param {string} key the key or index of `value` in its parent (for `toJSON`)
 * @returns {string | undefined} undefined for what JSON leaves out
 */
function write(value, stack, key) {
  if (value !== null && typeof value === 'object' && typeof (/** @type {any} */ (value).toJSON) === 'function') {
    value = /** @type {any} */ (value).toJSON(key);
  }
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  const object = /** @type {object} */ (value);
  if (object instanceof Map || object instanceof Set || object instanceof WeakMap || object instanceof WeakSet) {
    throw new JsonEncodeError(`a ${describe(object)} cannot be written as JSON; use a plain object or an array`);
  }
  if (stack.includes(object)) throw new JsonEncodeError('a value that contains itself cannot be written as JSON');
  if (stack.length >= MAX_DEPTH) throw new JsonEncodeError('recursion limit exceeded');
  stack.push(object);
  let text;
  if (Array.isArray(object) || ArrayBuffer.isView(object)) {
    const items = Array.from(/** @type {ArrayLike<unknown>} */ (object), (item, index) => write(item, stack, String(index)) ?? 'null');
    text = `[${items.join(',')}]`;
  } else if (object instanceof Number || object instanceof String || object instanceof Boolean) {
    text = write(object.valueOf(), stack, key);
  } else {
    const fields = [];
    for (const [name, field] of Object.entries(object)) {
      const written = write(field, stack, name);
      if (written !== undefined) fields.push(`${JSON.stringify(name)}:${written}`);
    }
    text = `{${fields.join(',')}}`;
  }
  stack.pop();
  return text;
}
