declare module 'switchyard:policy/host@0.2.0' {
  /**
   * Write a line to the host's log, tagged with company and policy.
   */
  export function log(level: Level, message: string): void;
  /**
   * Read a value from the company's persistent policy state.
   */
  export function stateGet(key: string): Uint8Array | undefined;
  /**
   * Write a value; it is persisted when the decision completes.
   */
  export function stateSet(key: string, value: Uint8Array): void;
  /**
   * Remove a value.
   */
  export function stateDelete(key: string): void;
  /**
   * Log severity.
   * # Variants
   * 
   * ## `"trace"`
   * 
   * ## `"debug"`
   * 
   * ## `"info"`
   * 
   * ## `"warn"`
   * 
   * ## `"error"`
   */
  export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /**
   * Why a state write was refused.
   * # Variants
   * 
   * ## `"too-large"`
   * 
   * Key longer than 128 bytes or value longer than 4 KiB.
   * ## `"quota-exceeded"`
   * 
   * The company's state would exceed 64 KiB or 256 keys.
   */
  export type StateError = 'too-large' | 'quota-exceeded';
}
