// Registers preopen-hooks.js; run jco with NODE_OPTIONS=--import=<this file's URL>.

import { register } from 'node:module';

register('./preopen-hooks.js', import.meta.url);
