// Text helpers that behave exactly like the Rust SDK's (`str::trim`, `eq_ignore_ascii_case`, byte lengths).

/** Unicode `White_Space` characters, the set Rust's `str::trim` removes (JS `trim` differs on U+0085 and U+FEFF). */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${WHITE_SPACE}]+`);
const TRAILING = new RegExp(`[${WHITE_SPACE}]+$`);

/**
 * `text` without leading white space, as Rust's `str::trim_start`.
 * @param {string} text
 * @returns {string}
 */
export function trimStart(text) {
  return text.replace(LEADING, '');
}

/**
 * `text` without leading and trailing white space, as Rust's `str::trim`.
 * @param {string} text
 * @returns {string}
 */
export function trim(text) {
  return trimStart(text).replace(TRAILING, '');
}

/**
 * `text` with ASCII letters lower-cased and everything else unchanged, the folding of Rust's
 * `eq_ignore_ascii_case`.
 * @param {string} text
 * @returns {string}
 */
export function asciiLowerCase(text) {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/**
 * Length of `text` in UTF-8 bytes (what the host's state limits count).
 * @param {string} text
 * @returns {number}
 */
export function utf8Length(text) {
  let bytes = 0;
  for (const char of text) {
    const code = /** @type {number} */ (char.codePointAt(0));
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
