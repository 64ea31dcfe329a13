// `longest-idle` in JavaScript: the port of plugins/longest-idle (Rust), same decisions and config.
//
// Switchyard's default routing policy: rings eligible agents one after another, the one idle
// the longest first (ties by agent id). Config (all optional; empty means defaults):
// `{"ring_timeout_ms": 20000, "max_targets": 5}`.

import {
  decide, definePolicy, eligible, loadConfig, longestIdle, optional, positiveInt, ringTimeout, validateConfig,
} from './switchyard/index.js';

/** The policy's configuration; unknown fields are refused, missing ones take defaults. */
export const Config = {
  /** How long to ring each agent (1000..=120000 ms, default 20000). */
  ring_timeout_ms: ringTimeout(),
  /** Ring at most this many agents per attempt (default: all eligible). */
  max_targets: optional(positiveInt()),
};

/** Longest idle first, rung sequentially. */
export default definePolicy({
  route(host, call, candidates, config) {
    const cfg = loadConfig(host, config, Config);
    const ordered = longestIdle(eligible(candidates, call));
    return decide('sequential', ordered, candidates, cfg.ring_timeout_ms, cfg.max_targets);
  },

  checkConfig(config) {
    validateConfig(config, Config);
  },
});
