// The repository's npm workspaces, read from their manifests: which are published, which are not.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..');

/** The export condition that points each package at its TypeScript sources (set by .npmrc for npm scripts). */
export const SOURCE_CONDITION = '@tokenledger/source';

export interface Workspace {
  name: string;
  /** Folder relative to the repository root. */
  dir: string;
  private: boolean;
  manifest: Record<string, unknown>;
}

/** Every workspace of the root package.json (`packages/*`, `collector`, `demo`). */
export function workspaces(): Workspace[] {
  const dirs = [...readdirSync(join(REPO, 'packages')).map((d) => join('packages', d)), 'collector', 'demo'];
  return dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(REPO, dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return { name: String(manifest.name), dir, private: manifest.private === true, manifest };
  });
}

/** The workspaces users install from npm (every one not marked private). */
export const publishable = (): Workspace[] => workspaces().filter((w) => !w.private);

/**
 * `npm pack` of every publishable workspace into `dest` (from their current dist/: build first), as
 * `npm publish` would ship them; the tarballs by package name.
 */
export function packPublishable(dest: string): Map<string, string> {
  mkdirSync(dest, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', resolve(dest), ...publishable().flatMap((w) => ['-w', w.dir])];
  const packed = JSON.parse(execFileSync('npm', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 })) as {
    name: string;
    filename: string;
  }[];
  return new Map(packed.map((p) => [p.name, join(resolve(dest), p.filename)]));
}
