// Finding jco and generating the guest TypeScript declarations of the WIT world with it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The guest-sdk-js directory. */
export const SDK_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** The repository's WIT file. */
export const WIT = join(SDK_DIR, '..', 'wit', 'policy.wit');
/** Where the generated declarations are kept. */
export const TYPES_DIR = join(SDK_DIR, 'types');
/** Where the repository's test harness installs the JavaScript tools. */
const HARNESS_JCO = join(SDK_DIR, '..', 'target', 'guests', 'tools', 'js', 'node_modules', '.bin', 'jco');

/**
 * The command that runs jco, or undefined when there is none: `$SWITCHYARD_JCO`, else `jco`
 * on PATH, else the harness's install (`target/guests/tools/js/node_modules/.bin/jco`), else
 * a locally installed one through `npx --no-install` (never a download).
 * @returns {string[] | undefined} the program and its leading arguments
 */
export function findJco() {
  const fromEnv = process.env.SWITCHYARD_JCO;
  if (fromEnv) return [fromEnv];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isFile(join(dir, 'jco'))) return [join(dir, 'jco')];
  }
  if (isFile(HARNESS_JCO)) return [HARNESS_JCO];
  const npx = spawnSync('npx', ['--no-install', 'jco', '--version'], { encoding: 'utf8', timeout: 60_000 });
  if (npx.status === 0) return ['npx', '--no-install', 'jco'];
  return undefined;
}

/** @param {string} path */
function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Runs `jco guest-types` on the WIT world into `outDir` (with the preopen workaround, see
 * preopen-hooks.js).
 * @param {string[]} jco the command from `findJco`
 * @param {string} outDir
 * @returns {void}
 * @throws {Error} with jco's output when it fails
 */
export function generateTypes(jco, outDir) {
  const hook = pathToFileURL(join(SDK_DIR, 'tools', 'register-preopens.js')).href;
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim() };
  const [program, ...args] = jco;
  const run = spawnSync(program, [...args, 'guest-types', WIT, '--world-name', 'routing-policy', '--out-dir', outDir, '--quiet'], {
    env, encoding: 'utf8', timeout: 120_000,
  });
  if (run.status !== 0) {
    throw new Error(`jco guest-types failed (${run.error ?? `exit ${run.status}`}):\n${run.stdout}${run.stderr}`);
  }
}

/**
 * Every `.d.ts` file under `dir`, by path relative to it, with its text.
 * @param {string} dir
 * @returns {Map<string, string>}
 */
export function declarations(dir) {
  /** @type {Map<string, string>} */
  const files = new Map();
  /** @param {string} at */
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.d.ts')) files.set(relative(dir, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Generates the declarations into a fresh temporary directory and returns them.
 * @param {string[]} jco
 * @returns {Map<string, string>}
 */
export function freshDeclarations(jco) {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-types-'));
  try {
    generateTypes(jco, out);
    return declarations(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
