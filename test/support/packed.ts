// The packages as users get them: built (`npm run build`), packed with `npm pack`, and installed into an
// app folder outside this repository (no workspace links, no NODE_PATH, no source condition).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { packPublishable, REPO } from '../../scripts/workspaces.ts';

export { publishable, REPO, workspaces } from '../../scripts/workspaces.ts';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command; never rejects (the caller asserts on the code and output). */
export function run(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? String(err.message) : '') });
    });
  });
}

/**
 * The environment of a user's shell: nothing of this repository (its node_modules/.bin, the source
 * condition in NODE_OPTIONS, npm's script variables) and no OTEL_/TOKENLEDGER_ settings; `nodeDir` first
 * on PATH when given, so `#!/usr/bin/env node` bins run under that Node.
 */
export function userEnv(extra: Record<string, string> = {}, nodeDir?: string): NodeJS.ProcessEnv {
  const keep = Object.entries(process.env).filter(
    ([k]) => !/^(npm_|NODE_OPTIONS$|NODE_PATH$|OTEL_|TOKENLEDGER_|INIT_CWD$|VITEST)/i.test(k),
  );
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.startsWith(REPO));
  return { ...Object.fromEntries(keep), PATH: [...(nodeDir ? [nodeDir] : []), ...path].join(delimiter), ...extra };
}

/** Builds the packages and packs every publishable one into `dir`; returns tarball paths by package name. */
export async function buildAndPack(dir: string): Promise<Map<string, string>> {
  const build = await run('npm', ['run', 'build', '--silent'], { cwd: REPO, env: { ...process.env } });
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  return packPublishable(dir);
}

/** A fresh folder under the system temp directory (outside the repository). */
export async function outsideRepo(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (dir.startsWith(REPO)) throw new Error(`${dir} is inside the repository`);
  return dir;
}

/** Writes an app's package.json and installs it with npm (registry or npm's cache) as a user would. */
export async function installApp(dir: string, dependencies: Record<string, string>, files: Record<string, string> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, dependencies }, null, 2));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, env: userEnv() });
  if (install.code !== 0) throw new Error(`npm install in ${dir} failed:\n${install.stdout}\n${install.stderr}`);
}

/** The npm package that carries this platform's Node binary (what the `node` package installs). */
export const nodeBinaryPackage = (): string => `node-${process.platform}-${process.arch}`;
