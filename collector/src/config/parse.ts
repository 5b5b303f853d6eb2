// The one set of TOKENLEDGER_* readers: each takes the variable's name, so a bad value fails at start with a
// ConfigError that names it. An unset or blank variable takes the default.

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** The trimmed value, or undefined when unset or blank. */
export function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** Digits only, a safe integer ≥ `min`. */
export function integer(env: Env, name: string, fallback: number, min: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new ConfigError(name, v, `an integer ≥ ${min}`);
  return n;
}

/** A finite number ≥ `min`. */
export function number(env: Env, name: string, fallback: number, min: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(name, v, `a number ≥ ${min}`);
  return n;
}

/** A finite number > 0. */
export function positive(env: Env, name: string, fallback: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, v, 'a positive number');
  return n;
}

/** `true` or `false`, any case. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const v = text(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConfigError(name, v, 'true or false');
}

/** One of `values`, compared upper-cased. */
export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const hit = values.find((x) => x === v.toUpperCase());
  if (!hit) throw new ConfigError(name, v, `one of ${values.join(', ')}`);
  return hit;
}

/** An http(s):// URL. */
export function url(env: Env, name: string): string | undefined {
  const v = text(env, name);
  if (v !== undefined && !/^https?:\/\/[^/]+/.test(v)) throw new ConfigError(name, v, 'an http(s):// URL');
  return v;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces is never a default: say `0.0.0.0:port`). */
export function address(env: Env, name: string, fallback: string): { host: string; port: number } {
  const v = text(env, name) ?? fallback;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(name, v, 'host:port');
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** A comma-separated list of host names (letters, digits, `.`, `-`), lower-cased, or `*`; empty when unset. */
export function hostnames(env: Env, name: string): string[] {
  const v = text(env, name);
  if (v === undefined) return [];
  const names = v
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || names.some((h) => h !== '*' && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(h))) {
    throw new ConfigError(name, v, 'a comma-separated list of host names, or *');
  }
  return names;
}

/** A comma-separated list of `allowed` names, case-insensitive, spelt as in `allowed`. */
export function list(env: Env, name: string, allowed: readonly string[], fallback: readonly string[]): string[] {
  const v = text(env, name);
  if (v === undefined) return [...fallback];
  return listPart(name, v, v, allowed, false);
}

/** `part` of the variable's value `v` as a list of `allowed` names (`emptyOk`: an empty list is one). */
export function listPart(name: string, v: string, part: string, allowed: readonly string[], emptyOk: boolean): string[] {
  const items = [
    ...new Set(
      part
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const byLower = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const out = items.map((i) => byLower.get(i.toLowerCase()));
  if ((items.length === 0 && !emptyOk) || out.some((o) => o === undefined)) throw new ConfigError(name, v, `a comma-separated list of ${allowed.join(', ')}`);
  return out as string[];
}

/** A JSON value, checked by `check` (which returns false when the shape is wrong). */
export function json<T>(env: Env, name: string, expected: string, check: (doc: unknown) => T | undefined): T | undefined {
  const v = text(env, name);
  if (v === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(v);
  } catch {
    throw new ConfigError(name, v, expected);
  }
  const out = check(doc);
  if (out === undefined) throw new ConfigError(name, v, expected);
  return out;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A Prometheus-style duration (`14d`, `36h`, `1h30m`, `500ms`) in ms, at least `minMs`. */
export function duration(env: Env, name: string, fallbackMs: number, minMs: number): number {
  const v = text(env, name);
  if (v === undefined) return fallbackMs;
  const expected = `a duration such as 14d, 36h, 1h30m or 90s (units ms, s, m, h, d, w), at least ${minMs} ms`;
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(v)) throw new ConfigError(name, v, expected);
  let ms = 0;
  for (const m of v.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  if (!Number.isSafeInteger(ms) || ms < minMs) throw new ConfigError(name, v, expected);
  return ms;
}
