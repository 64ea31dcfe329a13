// The component entry: exports the policy as the `routing-policy` world. Build this file.

import policy from './policy.js';
import { exportPolicy } from './switchyard/index.js';
import { wasmHost } from './switchyard/wasm-host.js';

export const { route, overflow, visibility, checkConfig } = exportPolicy(policy, wasmHost);
