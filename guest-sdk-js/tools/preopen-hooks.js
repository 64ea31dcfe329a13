// Module hooks that give jco's WASI shim a `/` preopen, so `jco guest-types` can read the WIT file.
//
// jco 1.35 reads the WIT through @bytecodealliance/preview2-shim; from 0.26 the shim starts with
// no preopens, and `jco guest-types wit/policy.wit` fails with "failed to read path for WIT ...
// No such file or directory (os error 44)". This load hook preopens `/` (the shim's old default)
// when the shim's Node.js filesystem module loads.

/**
 * Appends `_setPreopens({'/': '/'})` to the shim's filesystem module; other modules unchanged.
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<{source?: unknown}>} next
 * @returns {Promise<object>}
 */
export async function load(url, context, next) {
  const result = await next(url, context);
  if (!/\/preview2-shim\/(?:dist|lib)\/nodejs\/filesystem\.js$/.test(url) || result.source == null) return result;
  const source = typeof result.source === 'string' ? result.source : new TextDecoder().decode(/** @type {Uint8Array} */ (result.source));
  if (!/export function _setPreopens\b/.test(source)) return result;
  return { ...result, source: `${source}\n_setPreopens({ '/': '/' });\n` };
}
