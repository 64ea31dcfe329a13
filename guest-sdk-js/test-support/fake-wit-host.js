// A stand-in for the WIT import `switchyard:policy/host@0.2.0`, driven by `globalThis.switchyardFakeHost`.
//
// Tests set `globalThis.switchyardFakeHost` to an object with the import's four functions; this
// module forwards to it, so wasm-host.js can be tested natively.

/** @returns {any} the functions the test installed */
function fake() {
  const host = /** @type {any} */ (globalThis).switchyardFakeHost;
  if (!host) throw new Error('set globalThis.switchyardFakeHost first');
  return host;
}

/** @param {string} level @param {string} message */
export function log(level, message) {
  fake().log(level, message);
}

/** @param {string} key @returns {Uint8Array | undefined} */
export function stateGet(key) {
  return fake().stateGet(key);
}

/** @param {string} key @param {Uint8Array} value */
export function stateSet(key, value) {
  fake().stateSet(key, value);
}

/** @param {string} key */
export function stateDelete(key) {
  fake().stateDelete(key);
}
