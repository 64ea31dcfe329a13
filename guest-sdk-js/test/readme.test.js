// Checks that the README's complete example is the tested examples/no-repeat/ policy, verbatim.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/** @param {string} path relative to guest-sdk-js/ */
const read = (path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('the README shows examples/no-repeat as it is', () => {
  const readme = read('README.md');
  for (const file of ['examples/no-repeat/policy.js', 'examples/no-repeat/component.js']) {
    assert.ok(readme.includes(`\`\`\`js\n${read(file)}\`\`\``), `README.md does not show ${file} verbatim`);
  }
});

test('the ports\' component entries are the example\'s, but for their header', () => {
  const body = (/** @type {string} */ text) => text.slice(text.indexOf('\n'));
  const entry = body(read('examples/no-repeat/component.js'));
  for (const port of ['longest-idle', 'round-robin']) {
    assert.equal(body(read(`../plugins/${port}/js/component.js`)), entry, port);
  }
});
