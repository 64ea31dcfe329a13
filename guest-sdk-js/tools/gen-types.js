// Regenerates guest-sdk-js/types/ from wit/policy.wit with jco: `node tools/gen-types.js`.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { declarations, findJco, freshDeclarations, TYPES_DIR } from './jco.js';

const jco = findJco();
if (jco === undefined) {
  console.error('jco not found: set SWITCHYARD_JCO to its path, or install @bytecodealliance/jco');
  process.exit(1);
}
const fresh = freshDeclarations(jco);
for (const name of declarations(TYPES_DIR).keys()) rmSync(join(TYPES_DIR, name));
for (const [name, text] of fresh) {
  mkdirSync(dirname(join(TYPES_DIR, name)), { recursive: true });
  writeFileSync(join(TYPES_DIR, name), text);
}
console.log(`wrote ${[...fresh.keys()].join(', ')} in ${TYPES_DIR}`);
