// exportPolicy: turns a policy into the component's world exports (route, overflow, visibility, checkConfig).

import { ConfigError } from './config.js';
import { definePolicy } from './policy.js';

/** @import { Host } from './host.js' */
/** @import { Policy, PolicySpec } from './policy.js' */
/** @import { Call, Candidate, OverflowReason, Subject, Viewer } from './types.js' */

/**
 * The functions of the `routing-policy` world, as the component exports them.
 * @typedef {object} WorldExports
 * @property {(call: Call, candidates: Candidate[], config: string) => import('./types.js').Decision} route
 * @property {(call: Call, reason: OverflowReason, config: string) => import('./types.js').OverflowAction} overflow
 * @property {(viewer: Viewer, subject: Subject, config: string) => import('./types.js').View} visibility
 * @property {(config: string) => void} checkConfig returns for `ok`; throws the message string
 *   for `err(message)` (how the JS bindings map a thrown non-Error value to `err`)
 */

/**
 * The world exports of `policy`, each calling it with `host`. Re-export them from the
 * component entry:
 *
 *   import policy from './policy.js';
 *   import { exportPolicy } from './switchyard/index.js';
 *   import { wasmHost } from './switchyard/wasm-host.js';
 *   export const { route, overflow, visibility, checkConfig } = exportPolicy(policy, wasmHost);
 *
 * A `ConfigError` thrown by `checkConfig` becomes the WIT `err` string (its message). Any
 * other exception is logged at error level (with its stack) and rethrown: the call traps and
 * the host uses its fallback, as with a Rust panic.
 * @param {Policy | PolicySpec} policy
 * @param {Host} host
 * @returns {Readonly<WorldExports>}
 */
export function exportPolicy(policy, host) {
  const p = definePolicy(policy);
  return Object.freeze({
    route(call, candidates, config) {
      return guarded(host, 'route', () => p.route(host, call, candidates, config));
    },
    overflow(call, reason, config) {
      return guarded(host, 'overflow', () => p.overflow(host, call, reason, config));
    },
    visibility(viewer, subject, config) {
      return guarded(host, 'visibility', () => p.visibility(host, viewer, subject, config));
    },
    checkConfig(config) {
      try {
        p.checkConfig(config);
      } catch (error) {
        // The bindings turn a thrown string into `err(string)`; a thrown Error would trap.
        // eslint-disable-next-line no-throw-literal
        if (error instanceof ConfigError) throw error.message;
        report(host, 'checkConfig', error);
        throw error;
      }
    },
  });
}

/**
 * `run()`, logging an unexpected exception before rethrowing it.
 * @template T
 * @param {Host} host
 * @param {string} name the export, for the log line
 * @param {() => T} run
 * @returns {T}
 */
function guarded(host, name, run) {
  try {
    return run();
  } catch (error) {
    report(host, name, error);
    throw error;
  }
}

/**
 * Logs that export `name` threw `error` (with its stack), so the host's log says why the call
 * trapped; a failure to log is ignored.
 * @param {Host} host
 * @param {string} name
 * @param {unknown} error
 */
function report(host, name, error) {
  try {
    const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
    host.log('error', `policy ${name} threw: ${String(error)}${stack}`);
  } catch {
    // Logging must not hide the policy's own failure.
  }
}
