// Module hooks for native tests: resolve the WIT import `switchyard:policy/host@0.2.0` to fake-wit-host.js.

const FAKE = new URL('./fake-wit-host.js', import.meta.url).href;

/**
 * Resolves the component-only specifier to the fake; everything else as usual.
 * @param {string} specifier
 * @param {object} context
 * @param {(specifier: string, context: object) => Promise<object>} next
 * @returns {Promise<object>}
 */
export async function resolve(specifier, context, next) {
  if (specifier === 'switchyard:policy/host@0.2.0') return { url: FAKE, shortCircuit: true };
  return next(specifier, context);
}
