// The Host inside a component, over the WIT imports; the only SDK file importing `switchyard:policy/host`.

import { log, stateDelete, stateGet, stateSet } from 'switchyard:policy/host@0.2.0';
import { STATE_ERRORS, StateError } from './host.js';

/**
 * The `Host` backed by the component's imports. Pass it to `exportPolicy` in the component
 * entry; natively (tests) use a `MemoryHost`, as this module only loads inside a component.
 * @type {import('./host.js').Host}
 */
export const wasmHost = Object.freeze({
  log(level, message) {
    log(level, String(message));
  },

  stateGet(key) {
    const bytes = stateGet(key);
    // Copied so that it is a Uint8Array of the policy's own realm (`instanceof` works).
    return bytes === undefined ? undefined : new Uint8Array(bytes);
  },

  stateSet(key, value) {
    try {
      stateSet(key, value);
    } catch (error) {
      // The bindings throw an error whose `payload` is the WIT `state-error`.
      const reason = /** @type {any} */ (error)?.payload;
      if (STATE_ERRORS.includes(reason)) throw new StateError(reason);
      throw error;
    }
  },

  stateDelete(key) {
    stateDelete(key);
  },
});
