/// <reference path="./interfaces/switchyard-policy-host.d.ts" />
/// <reference path="./interfaces/switchyard-policy-types.d.ts" />
declare module 'switchyard:policy/routing-policy@0.2.0' {
  export type Call = import('switchyard:policy/types@0.2.0').Call;
  export type Candidate = import('switchyard:policy/types@0.2.0').Candidate;
  export type Decision = import('switchyard:policy/types@0.2.0').Decision;
  export type OverflowReason = import('switchyard:policy/types@0.2.0').OverflowReason;
  export type OverflowAction = import('switchyard:policy/types@0.2.0').OverflowAction;
  export type Viewer = import('switchyard:policy/types@0.2.0').Viewer;
  export type Subject = import('switchyard:policy/types@0.2.0').Subject;
  export type View = import('switchyard:policy/types@0.2.0').View;
  export type * as SwitchyardPolicyHost020 from 'switchyard:policy/host@0.2.0'; // import switchyard:policy/host@0.2.0
  export type * as SwitchyardPolicyTypes020 from 'switchyard:policy/types@0.2.0'; // import switchyard:policy/types@0.2.0
  /**
  * Whom to ring for this call.
  */
  export function route(call: Call, candidates: Array<Candidate>, config: string): Decision;
  /**
  * What to do when nobody can take the call.
  */
  export function overflow(call: Call, reason: OverflowReason, config: string): OverflowAction;
  /**
  * What `viewer` may see of `subject` on this company's presence board.
  */
  export function visibility(viewer: Viewer, subject: Subject, config: string): View;
  /**
  * Check a configuration before it is stored; `err` says what is wrong.
  */
  export function checkConfig(config: string): void;
  export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
}
