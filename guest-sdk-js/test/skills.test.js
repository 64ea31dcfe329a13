// Tests of skills.js (ported from the Rust SDK's skills.rs and its module example).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hasSkill, RequiredSkills, skillNames, skillSet } from '../switchyard/skills.js';
import { call, candidate, skills } from '../switchyard/testing.js';

test('names match ignoring case and spaces', () => {
  const c = { ...call(), skills: ['billing', ' Billing ', 'french'] };
  assert.equal(skillSet(c, 'BILLING'), 0b011n);
  assert.equal(skillSet(c, ' french'), 0b100n);
  assert.equal(skillSet(c, 'german'), 0n);
  const agent = { ...candidate(1), skills: 0b010n };
  assert.equal(hasSkill(agent, c, 'billing'), true);
  assert.equal(hasSkill(agent, c, 'french'), false);
});

test('case folding is ASCII only and trimming is Rust\'s', () => {
  const c = { ...call(), skills: ['Émile', '\u0085sales\u0085', '\ufeffsupport'] };
  assert.equal(skillSet(c, 'émile'), 0n);
  assert.equal(skillSet(c, 'ÉMILE'), 0b001n);
  assert.equal(skillSet(c, 'SALES'), 0b010n);
  assert.equal(skillSet(c, 'support'), 0n);
});

test('bits past the names mean nothing', () => {
  const c = call();
  const set = skills(c, ['sales']);
  const agent = { ...candidate(1), skills: set | (1n << 40n) };
  assert.deepEqual(skillNames(agent, c), ['sales']);
});

test('only the first 64 names have bits', () => {
  const c = { ...call(), skills: Array.from({ length: 65 }, (_, i) => `s${i}`) };
  assert.equal(skillSet(c, 's63'), 1n << 63n);
  assert.equal(skillSet(c, 's64'), 0n);
});

test('required skills need every name', () => {
  const c = call();
  const both = { ...candidate(1), skills: skills(c, ['billing', 'french']) };
  const one = { ...candidate(2), skills: skills(c, ['billing']) };
  const required = new RequiredSkills(c, ['billing', ' ', 'French']);
  assert.equal(required.isMetBy(both), true);
  assert.equal(required.isMetBy(one), false);
  assert.equal(new RequiredSkills(c, []).isMetBy(one), true);
  assert.equal(new RequiredSkills(c, ['']).isEmpty(), true);
  assert.equal(new RequiredSkills(c, ['german']).isMetBy(both), false);
});

test('the module example', () => {
  const c = call();
  const asha = { ...candidate(1), skills: skills(c, ['Hindi', 'billing']) };
  const ben = { ...candidate(2), skills: skills(c, ['billing']) };
  assert.ok(hasSkill(asha, c, 'hindi'));
  assert.ok(!hasSkill(ben, c, 'hindi'));
  assert.ok(!hasSkill(ben, c, 'a skill nobody in the department has'));
  const required = new RequiredSkills(c, ['billing', 'hindi']);
  assert.ok(required.isMetBy(asha) && !required.isMetBy(ben));
  assert.deepEqual(skillNames(asha, c), ['Hindi', 'billing']);
});
