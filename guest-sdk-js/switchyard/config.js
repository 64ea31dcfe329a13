// Reading a policy's config string into a checked config: parseConfig, validateConfig, loadConfig, ConfigError.
//
// Configs are JSON objects; an empty or blank string means "all defaults". Describe the config
// with fields, keeping the JSON (snake_case) names of the Rust policy:
//
//   const Config = { ring_timeout_ms: ringTimeout(), max_targets: optional(positiveInt()) };
//   parseConfig('', Config);                     // { ring_timeout_ms: 20000, max_targets: undefined }
//   parseConfig('{"max_target": 2}', Config);    // throws ConfigError: ... unknown field `max_target` ...

import { asField, FieldError, joinPath } from './fields.js';
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson } from './json.js';
import { trim, trimStart } from './text.js';

/** @import { Fields } from './fields.js' */
/** @import { Host } from './host.js' */

const HINT_SYNTAX = 'write a JSON object such as {}, or leave the config empty for the defaults';
const HINT_UNKNOWN = "fix the field's spelling or remove it";
const HINT_OBJECT = 'the config must be a JSON object such as {}';
const HINT_VALUE = "check the value against the policy's documented config";

/**
 * Why a config was refused: it did not parse as the policy's config (the message names the
 * offending field and suggests a fix), or the policy's own check refused it. Its `message` is
 * what the person editing the config reads, worded as the Rust SDK's `ConfigError`:
 * ``invalid policy config field `x`: ... (hint: ...)``.
 *
 * A policy's own refusal is `new ConfigError('`close` must be after `open`')`, for the config
 * as a whole; throw it from `checkConfig`.
 */
export class ConfigError extends Error {
  /**
   * @param {string} detail what is wrong
   * @param {object} [options]
   * @param {string} [options.path] where, e.g. `hours[0].open` (default `.`, the whole config)
   * @param {string} [options.hint] how to fix it (the SDK's own errors give one)
   */
  constructor(detail, options = {}) {
    const path = options.path ?? '.';
    const where = path === '.' ? 'invalid policy config' : `invalid policy config field \`${path}\``;
    super(`${where}: ${detail}${options.hint === undefined ? '' : ` (hint: ${options.hint})`}`);
    this.name = 'ConfigError';
    /** Where in the config the problem is, e.g. `hours[0].open`; `.` for the top level. */
    this.path = path;
    /** What is wrong, without place or hint. */
    this.detail = detail;
    /** How to fix it, if the SDK knows. */
    this.hint = options.hint;
  }
}

/**
 * @param {unknown} error thrown while reading a config
 * @returns {unknown} the ConfigError for a JsonSyntaxError, JsonDuplicateKeyError or
 *   FieldError; any other error unchanged
 */
function toConfigError(error) {
  if (error instanceof JsonSyntaxError) return new ConfigError(error.message, { hint: HINT_SYNTAX });
  if (error instanceof JsonDuplicateKeyError) {
    return new ConfigError(error.message, { path: error.path.reduce(joinPath, '.'), hint: HINT_UNKNOWN });
  }
  if (error instanceof FieldError) {
    const hint = error.kind === 'value' ? (error.path === '.' ? HINT_OBJECT : HINT_VALUE) : HINT_UNKNOWN;
    return new ConfigError(error.message, { path: error.path, hint });
  }
  return error;
}

/**
 * Parses `config` as described by `schema`; an empty or blank string gives the defaults.
 * @template T
 * @param {string} config the config string the host passes
 * @param {import('./fields.js').Field<T> | Fields} schema an object of fields (or one field)
 * @returns {T}
 * @throws {ConfigError} if `config` is not a JSON object matching `schema`
 */
export function parseConfig(config, schema) {
  const field = asField(schema);
  if (trim(config) === '') return field.default();
  if (!trimStart(config).startsWith('{')) {
    // As the Rust SDK: a top-level array or scalar is refused before its fields are looked at.
    throw new ConfigError('expected a JSON object', { hint: HINT_OBJECT });
  }
  try {
    return field.read(parseJson(config, { duplicates: 'error', markFloats: true }), '.');
  } catch (error) {
    throw toConfigError(error);
  }
}

/**
 * `parseConfig` for a policy's `checkConfig`: returns when `config` parses, throws otherwise.
 * @param {string} config
 * @param {import('./fields.js').Field<any> | Fields} schema
 * @returns {void}
 * @throws {ConfigError} if `config` does not parse as `schema`
 */
export function validateConfig(config, schema) {
  parseConfig(config, schema);
}

/**
 * Whether `config` is empty or any valid JSON value: the check of policies without a config.
 * @param {string} config
 * @returns {void}
 * @throws {ConfigError} if `config` is not valid JSON
 */
export function checkJson(config) {
  if (trim(config) === '') return;
  try {
    parseJson(config);
  } catch (error) {
    throw toConfigError(error);
  }
}

/**
 * `parseConfig` for use while routing: a config that does not parse is logged at error level
 * and replaced by the defaults, so calls keep flowing. (The host checks configs with
 * `check-config` before storing them, so this only happens with a stored config that predates
 * a stricter policy version.)
 * @template T
 * @param {Host} host
 * @param {string} config
 * @param {import('./fields.js').Field<T> | Fields} schema
 * @returns {T}
 */
export function loadConfig(host, config, schema) {
  const field = asField(schema);
  try {
    return parseConfig(config, field);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    host.log('error', `${error.message}; using the default config`);
    return field.default();
  }
}
