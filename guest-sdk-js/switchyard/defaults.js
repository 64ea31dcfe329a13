// The answers a policy gives when it has no opinion of its own: the default overflow and visibility.

/** @import { Call, OverflowAction, OverflowReason, Subject, View, Viewer } from './types.js' */

/** Longest queue wait of the default overflow, in milliseconds. */
export const QUEUE_MAX_WAIT_MS = 120_000;

/**
 * The default overflow: callers wait in the queue (up to two minutes) when agents are busy or
 * the policy failed; otherwise (no members, none available, out of hours, no answer, queue
 * timeout) they go to the department's default voicemail.
 * @param {Call} call
 * @param {OverflowReason} reason
 * @returns {OverflowAction}
 */
export function defaultOverflow(call, reason) {
  void call;
  if (reason === 'all-busy' || reason === 'policy-error') {
    return { tag: 'queue', val: { maxWaitMs: QUEUE_MAX_WAIT_MS, priority: 0 } };
  }
  return { tag: 'voicemail', val: '' };
}

/**
 * The default presence-board visibility: everyone sees themselves in full, supervisors and
 * admins see everyone in full, agents see others coarsely.
 * @param {Viewer} viewer
 * @param {Subject} subject
 * @returns {View}
 */
export function defaultVisibility(viewer, subject) {
  if (BigInt(viewer.agent) === BigInt(subject.agent)) return 'full';
  return viewer.role === 'supervisor' || viewer.role === 'admin' ? 'full' : 'coarse';
}
