// The repository's npm workspaces, read from their manifests: which are published, which are not.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..');

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
