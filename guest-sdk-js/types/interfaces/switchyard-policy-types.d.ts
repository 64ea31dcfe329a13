declare module 'switchyard:policy/types@0.2.0' {
  /**
   * An agent (one person, one login) across all of its companies.
   */
  export type AgentId = bigint;
  /**
   * A company (tenant).
   */
  export type CompanyId = bigint;
  /**
   * A department inside one company.
   */
  export type DepartmentId = bigint;
  /**
   * A set of skills: bit `i` stands for the skill named `call.skills[i]`.
   */
  export type SkillSet = bigint;
  /**
   * Day of the week in the company's own time zone.
   * # Variants
   * 
   * ## `"monday"`
   * 
   * ## `"tuesday"`
   * 
   * ## `"wednesday"`
   * 
   * ## `"thursday"`
   * 
   * ## `"friday"`
   * 
   * ## `"saturday"`
   * 
   * ## `"sunday"`
   */
  export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
  /**
   * A free-form key/value pair sent by the telephony platform.
   */
  export interface Attribute {
    key: string,
    value: string,
  }
  /**
   * The call being decided.
   */
  export interface Call {
    /**
     * Telephony platform's call id.
     */
    id: string,
    company: CompanyId,
    /**
     * E.164 number the caller dialled.
     */
    dialledNumber: string,
    /**
     * Caller id as given by the platform (may be empty).
     */
    caller: string,
    /**
     * Department the number (or a forward) points at.
     */
    department: DepartmentId,
    /**
     * 1 for the first decision; +1 each time every target failed.
     */
    attempt: number,
    /**
     * Milliseconds the caller has waited so far.
     */
    waitedMs: bigint,
    /**
     * Current time, unix milliseconds.
     */
    nowUnixMs: bigint,
    /**
     * Company-local weekday, computed by the host from the company's time zone.
     */
    localWeekday: Weekday,
    /**
     * Company-local minute of the day, 0..=1439.
     */
    localMinute: number,
    /**
     * Per-call random seed; use it instead of any other randomness.
     */
    seed: bigint,
    /**
     * Agents already offered this call in earlier attempts.
     */
    tried: BigUint64Array,
    /**
     * Free-form attributes from the telephony platform.
     */
    attributes: Array<Attribute>,
    /**
     * Skill names of the target department, each once, at most 64: bit `i`
     * of a candidate's `skills` is set when it has skill `skills[i]`. Names
     * are as the company spelt them (compare case-insensitively). Empty
     * when the host asks `overflow` (there are no candidates then).
     */
    skills: Array<string>,
  }
  /**
   * A member's role in this company.
   * # Variants
   * 
   * ## `"agent"`
   * 
   * ## `"supervisor"`
   * 
   * ## `"admin"`
   */
  export type Role = 'agent' | 'supervisor' | 'admin';
  /**
   * The status a member sets for itself in this company.
   * # Variants
   * 
   * ## `"available"`
   * 
   * ## `"unavailable"`
   * 
   * ## `"on-break"`
   */
  export type Status = 'available' | 'unavailable' | 'on-break';
  /**
   * Where the agent is right now, as this company may know it.
   * # Variants
   * 
   * ## `"logged-out"`
   * 
   * Not logged in anywhere.
   * ## `"idle"`
   * 
   * Logged in and free.
   * ## `"ringing"`
   * 
   * Being offered a call of this company.
   * ## `"on-call"`
   * 
   * On a call of this company.
   * ## `"wrap-up"`
   * 
   * In this company's after-call wrap-up.
   * ## `"busy-elsewhere"`
   * 
   * Offered, on a call or in wrap-up for another company. No detail, by design.
   */
  export type Presence = 'logged-out' | 'idle' | 'ringing' | 'on-call' | 'wrap-up' | 'busy-elsewhere';
  /**
   * One member of the target department. Only scalars, so a list of them
   * crosses into the policy in one copy; the agent's extension is not here
   * (the host rings each target on this company's extension).
   */
  export interface Candidate {
    agent: AgentId,
    role: Role,
    /**
     * Department tier/level; 1 is the first line.
     */
    tier: number,
    /**
     * Skills in this department, as bits over `call.skills`.
     */
    skills: SkillSet,
    status: Status,
    takeCalls: boolean,
    /**
     * Inside the member's weekly availability schedule now.
     */
    inSchedule: boolean,
    presence: Presence,
    /**
     * Milliseconds since the agent last became free.
     */
    idleMs: bigint,
    /**
     * Calls answered today in this company.
     */
    callsToday: number,
    /**
     * Talk time today in this company, milliseconds.
     */
    talkMsToday: bigint,
  }
  /**
   * How the targets of a ring plan are rung.
   * # Variants
   * 
   * ## `"simultaneous"`
   * 
   * All targets at once; the first to answer gets the call.
   * ## `"sequential"`
   * 
   * One after another, in the order given.
   */
  export type RingMode = 'simultaneous' | 'sequential';
  /**
   * One agent to ring.
   */
  export interface RingTarget {
    agent: AgentId,
    /**
     * How long to ring, 1_000..=120_000 milliseconds.
     */
    timeoutMs: number,
  }
  /**
   * Whom to ring and how.
   */
  export interface RingPlan {
    mode: RingMode,
    targets: Array<RingTarget>,
  }
  /**
   * Why nobody is rung.
   * # Variants
   * 
   * ## `"no-members"`
   * 
   * The department has no members.
   * ## `"none-available"`
   * 
   * Members exist but none is available here (status, take-calls, schedule, logged out).
   * ## `"all-busy"`
   * 
   * Available members are all busy (here or in another company).
   * ## `"out-of-hours"`
   * 
   * Outside the company's business hours.
   * ## `"no-answer"`
   * 
   * Every target rang without answer, after all attempts.
   * ## `"queue-timeout"`
   * 
   * The queue's maximum wait ran out.
   * ## `"policy-error"`
   * 
   * The policy failed; the host used its fallback.
   */
  export type OverflowReason = 'no-members' | 'none-available' | 'all-busy' | 'out-of-hours' | 'no-answer' | 'queue-timeout' | 'policy-error';
  /**
   * The answer to `route`.
   */
  export type Decision = DecisionRing | DecisionOverflow;
  export interface DecisionRing {
    tag: 'ring',
    val: RingPlan,
  }
  export interface DecisionOverflow {
    tag: 'overflow',
    val: OverflowReason,
  }
  /**
   * Keep the caller waiting in the department's queue.
   */
  export interface QueueSpec {
    /**
     * Longest wait before `overflow` is asked again with `queue-timeout`.
     */
    maxWaitMs: number,
    /**
     * Higher is served first; equal priorities are served oldest first.
     */
    priority: number,
  }
  /**
   * The answer to `overflow`.
   */
  export type OverflowAction = OverflowActionQueue | OverflowActionForwardDepartment | OverflowActionForwardNumber | OverflowActionVoicemail | OverflowActionReject;
  export interface OverflowActionQueue {
    tag: 'queue',
    val: QueueSpec,
  }
  /**
   * Send the call to another department of the same company.
   */
  export interface OverflowActionForwardDepartment {
    tag: 'forward-department',
    val: DepartmentId,
  }
  /**
   * Send the call to an external E.164 number.
   */
  export interface OverflowActionForwardNumber {
    tag: 'forward-number',
    val: string,
  }
  /**
   * Send the caller to voicemail (mailbox name, may be empty).
   */
  export interface OverflowActionVoicemail {
    tag: 'voicemail',
    val: string,
  }
  /**
   * Refuse the call, with a reason for the log.
   */
  export interface OverflowActionReject {
    tag: 'reject',
    val: string,
  }
  /**
   * Who is looking at the presence board.
   */
  export interface Viewer {
    agent: AgentId,
    role: Role,
  }
  /**
   * The member being looked at.
   */
  export interface Subject {
    agent: AgentId,
    role: Role,
    status: Status,
    presence: Presence,
  }
  /**
   * How much of the subject the viewer may see.
   * # Variants
   * 
   * ## `"hidden"`
   * 
   * Not listed at all.
   * ## `"coarse"`
   * 
   * Only available / busy / offline.
   * ## `"full"`
   * 
   * Full detail of activity in this company.
   */
  export type View = 'hidden' | 'coarse' | 'full';
}
