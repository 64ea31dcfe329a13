// Checks that types/ is what `jco guest-types` generates from wit/policy.wit today (skipped without jco).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { declarations, findJco, freshDeclarations, TYPES_DIR } from '../tools/jco.js';

const jco = findJco();

test('types/ is generated from the WIT by jco guest-types', { skip: jco === undefined && 'jco is not installed (set SWITCHYARD_JCO)' }, () => {
  const fresh = freshDeclarations(/** @type {string[]} */ (jco));
  const kept = declarations(TYPES_DIR);
  assert.deepEqual([...kept.keys()], [...fresh.keys()], 'the generated files');
  for (const [name, text] of fresh) {
    assert.equal(kept.get(name), text, `${name} differs from jco's output: run \`node tools/gen-types.js\``);
  }
});
