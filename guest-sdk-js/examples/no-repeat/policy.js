// no-repeat: longest idle first, but never the same agent first twice in a row when someone else is free.
//
// Config (both optional; empty means defaults): `{"ring_timeout_ms": 15000, "max_targets": 3}`.

import {
  decide, definePolicy, eligible, getState, loadConfig, longestIdle, optional, positiveInt, ringTimeout,
  SetError, setState, u64, validateConfig,
} from './switchyard/index.js';

/** The config: unknown fields are refused, missing ones take their defaults. */
export const Config = {
  ring_timeout_ms: ringTimeout(),
  max_targets: optional(positiveInt()),
};

/** State key holding the agent rung first by the previous decision. */
export const LAST = 'no-repeat.last';

/** Longest idle first, rung sequentially, rotating past the agent rung first last time. */
export default definePolicy({
  route(host, call, candidates, config) {
    const cfg = loadConfig(host, config, Config);
    const ordered = longestIdle(eligible(candidates, call));
    const last = getState(host, LAST, u64()); // a BigInt, or undefined
    if (ordered.length > 1 && ordered[0].agent === last) ordered.push(/** @type {any} */ (ordered.shift()));
    if (ordered.length > 0) {
      try {
        setState(host, LAST, ordered[0].agent);
      } catch (error) {
        if (!(error instanceof SetError)) throw error;
        host.log('warn', error.message);
      }
    }
    return decide('sequential', ordered, candidates, cfg.ring_timeout_ms, cfg.max_targets);
  },

  checkConfig(config) {
    validateConfig(config, Config);
  },
});
