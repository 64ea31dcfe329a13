// `NAME`: a Switchyard routing policy. Rings eligible agents one after another, longest idle
// first. Edit `route` (and optionally `overflow`, `visibility`, `checkConfig`); ask for skills
// by name with `hasSkill(candidate, call, 'billing')` or `RequiredSkills`. Agent ids and other
// u64 values are BigInt (`12n`).

import { decide, definePolicy, eligible, loadConfig, longestIdle, ringTimeout, validateConfig } from './switchyard/index.js';

/** The policy's configuration (all optional; empty means defaults; unknown fields refused). */
export const Config = {
  /** How long each agent rings, milliseconds (1000..=120000, default 20000). */
  ring_timeout_ms: ringTimeout(),
};

export default definePolicy({
  route(host, call, candidates, config) {
    const cfg = loadConfig(host, config, Config);
    const ordered = longestIdle(eligible(candidates, call));
    return decide('sequential', ordered, candidates, cfg.ring_timeout_ms);
  },

  checkConfig(config) {
    validateConfig(config, Config);
  },
});
