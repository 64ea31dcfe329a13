// definePolicy: what a routing policy is (route, plus optional overflow, visibility and checkConfig).

import { checkJson } from './config.js';
import { defaultOverflow, defaultVisibility } from './defaults.js';

/** @import { Host } from './host.js' */
/** @import { Call, Candidate, Decision, OverflowAction, OverflowReason, Subject, View, Viewer } from './types.js' */

/**
 * A company's routing policy. Every function receives the company's configuration string
 * (JSON, possibly empty) and, except `checkConfig`, a `Host` for logging and persistent state.
 *
 * @typedef {object} Policy
 * @property {(host: Host, call: Call, candidates: Candidate[], config: string) => Decision} route
 *   whom to ring for `call`, given one candidate per member of the target department
 * @property {(host: Host, call: Call, reason: OverflowReason, config: string) => OverflowAction} overflow
 *   what to do when nobody can take the call
 * @property {(host: Host, viewer: Viewer, subject: Subject, config: string) => View} visibility
 *   what `viewer` may see of `subject` on the company's presence board
 * @property {(config: string) => void} checkConfig checks a configuration before the host
 *   stores it: returns when it is fine, throws a `ConfigError` saying what is wrong otherwise
 */

/**
 * What `definePolicy` takes: `route` is required, the others default.
 * @typedef {object} PolicySpec
 * @property {Policy['route']} route
 * @property {Policy['overflow']} [overflow] default: `defaultOverflow(call, reason)`
 * @property {Policy['visibility']} [visibility] default: `defaultVisibility(viewer, subject)`
 * @property {Policy['checkConfig']} [checkConfig] default: `checkJson(config)` (empty or any
 *   JSON); a policy with a config should use `validateConfig(config, Config)`, and a rule of
 *   its own throws `new ConfigError(message)`. The host shows the message to the person
 *   editing the config.
 */

/** The members a policy may have. */
const MEMBERS = Object.freeze(['route', 'overflow', 'visibility', 'checkConfig']);

/** @type {Omit<Policy, 'route'>} */
const DEFAULTS = Object.freeze({
  overflow: (_host, call, reason, _config) => defaultOverflow(call, reason),
  visibility: (_host, viewer, subject, _config) => defaultVisibility(viewer, subject),
  checkConfig: (config) => checkJson(config),
});

/**
 * A policy from its functions, with the missing ones defaulted. Unknown members are refused,
 * so a misspelt `checkconfig` does not silently fall back to the default.
 * @param {PolicySpec} spec
 * @returns {Readonly<Policy>} call its members natively in tests:
 *   `policy.route(new MemoryHost(), call(), candidates, '')`
 * @throws {TypeError} if `route` is missing or a member is unknown or not a function
 */
export function definePolicy(spec) {
  if (spec === null || typeof spec !== 'object') throw new TypeError('definePolicy takes an object with a route function');
  for (const name of Object.keys(spec)) {
    if (!MEMBERS.includes(name)) throw new TypeError(`unknown policy member \`${name}\`; a policy has ${MEMBERS.join(', ')}`);
    if (typeof (/** @type {any} */ (spec)[name]) !== 'function') throw new TypeError(`policy member \`${name}\` is not a function`);
  }
  if (typeof spec.route !== 'function') throw new TypeError('a policy needs route(host, call, candidates, config)');
  return Object.freeze({ ...DEFAULTS, ...spec });
}
