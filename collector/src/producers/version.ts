// Dotted numeric versions (`0.79.0`, `1.15.2-beta.1`): compared number by number; a pre-release tag is ignored.

/** Whether `version` is in [from, below). An unreadable version is in no range. */
export function versionIn(version: string | undefined, from: string, below: string): boolean {
  const v = parts(version);
  if (!v) return false;
  return compare(v, parts(from)!) >= 0 && compare(v, parts(below)!) < 0;
}

function parts(version: string | undefined): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
