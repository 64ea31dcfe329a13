// The component entry of round-robin: exports the policy as the `routing-policy` world.

import policy from './policy.js';
import { exportPolicy } from './switchyard/index.js';
import { wasmHost } from './switchyard/wasm-host.js';

/** The `routing-policy` world's exports: the policy's functions, over the component's host. */
export const { route, overflow, visibility, checkConfig } = exportPolicy(policy, wasmHost);
