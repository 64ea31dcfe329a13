// JSDoc names for the WIT types (generated declarations in ../types/); this module exports no values.
//
// The declarations in `guest-sdk-js/types/` are generated from `wit/policy.wit` by
// `jco guest-types`; include them in an editor's or `tsc`'s program (see `../jsconfig.json`)
// and these typedefs resolve. Records are objects with camelCase fields, enums are kebab-case
// strings, variants are `{tag, val}`, and every WIT `u64` is a BigInt.

/** @typedef {import('switchyard:policy/types@0.2.0').AgentId} AgentId u64, a BigInt */
/** @typedef {import('switchyard:policy/types@0.2.0').CompanyId} CompanyId u64, a BigInt */
/** @typedef {import('switchyard:policy/types@0.2.0').DepartmentId} DepartmentId u64, a BigInt */
/** @typedef {import('switchyard:policy/types@0.2.0').SkillSet} SkillSet u64 bitmask, a BigInt */
/** @typedef {import('switchyard:policy/types@0.2.0').Weekday} Weekday */
/** @typedef {import('switchyard:policy/types@0.2.0').Attribute} Attribute */
/** @typedef {import('switchyard:policy/types@0.2.0').Call} Call */
/** @typedef {import('switchyard:policy/types@0.2.0').Role} Role */
/** @typedef {import('switchyard:policy/types@0.2.0').Status} Status */
/** @typedef {import('switchyard:policy/types@0.2.0').Presence} Presence */
/** @typedef {import('switchyard:policy/types@0.2.0').Candidate} Candidate */
/** @typedef {import('switchyard:policy/types@0.2.0').RingMode} RingMode */
/** @typedef {import('switchyard:policy/types@0.2.0').RingTarget} RingTarget */
/** @typedef {import('switchyard:policy/types@0.2.0').RingPlan} RingPlan */
/** @typedef {import('switchyard:policy/types@0.2.0').OverflowReason} OverflowReason */
/** @typedef {import('switchyard:policy/types@0.2.0').Decision} Decision */
/** @typedef {import('switchyard:policy/types@0.2.0').QueueSpec} QueueSpec */
/** @typedef {import('switchyard:policy/types@0.2.0').OverflowAction} OverflowAction */
/** @typedef {import('switchyard:policy/types@0.2.0').Viewer} Viewer */
/** @typedef {import('switchyard:policy/types@0.2.0').Subject} Subject */
/** @typedef {import('switchyard:policy/types@0.2.0').View} View */
/** @typedef {import('switchyard:policy/host@0.2.0').Level} Level */
/** @typedef {import('switchyard:policy/host@0.2.0').StateError} StateErrorReason */

export {};
