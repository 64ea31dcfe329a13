// `round-robin` in JavaScript: the port of plugins/round-robin (Rust), same decisions, config and state.
//
// Rings eligible agents in agent-id order, each call starting after the agent the previous call
// rang first, wrapping around. The pointer lives in the company's policy state under `rr.last`
// as a JSON number, the Rust plugin's encoding, so either version continues the other's
// rotation. Config (all optional; empty means defaults): `{"ring_timeout_ms": 20000,
// "max_targets": 5}`.

import {
  decide, definePolicy, eligible, getState, loadConfig, optional, positiveInt, ringTimeout, SetError, setState,
  u64, validateConfig,
} from './switchyard/index.js';

/** State key holding the agent the previous decision rang first. */
export const POINTER_KEY = 'rr.last';

/** The policy's configuration; unknown fields are refused, missing ones take defaults. */
export const Config = {
  /** How long to ring each agent (1000..=120000 ms, default 20000). */
  ring_timeout_ms: ringTimeout(),
  /** Ring at most this many agents per attempt (default: all eligible). */
  max_targets: optional(positiveInt()),
};

/** Agent-id order, rotating the starting point call by call; sequential. */
export default definePolicy({
  route(host, call, candidates, config) {
    const cfg = loadConfig(host, config, Config);
    let ordered = eligible(candidates, call).sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
    const last = getState(host, POINTER_KEY, u64());
    if (last !== undefined) {
      // Start after the last agent rung first, even if that agent is no longer eligible.
      const start = ordered.filter((c) => c.agent <= last).length;
      ordered = [...ordered.slice(start), ...ordered.slice(0, start)];
    }
    if (ordered.length > 0) {
      try {
        setState(host, POINTER_KEY, ordered[0].agent);
      } catch (error) {
        if (!(error instanceof SetError)) throw error;
        host.log('warn', `round-robin pointer not saved: ${error.message}`);
      }
    }
    return decide('sequential', ordered, candidates, cfg.ring_timeout_ms, cfg.max_targets);
  },

  checkConfig(config) {
    validateConfig(config, Config);
  },
});
