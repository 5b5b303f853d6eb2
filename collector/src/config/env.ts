// Parses and validates every TOKENLEDGER_* variable the collector reads; a bad value stops start-up.
import type { CollectorConfig, HostPort } from './types.ts';

export class ConfigError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function configFromEnv(env: Env = process.env): CollectorConfig {
  const cfg: CollectorConfig = {
    otlp: address(env, 'TOKENLEDGER_OTLP_ADDR', '127.0.0.1:4318'),
    http: address(env, 'TOKENLEDGER_HTTP_ADDR', '127.0.0.1:9464'),
    dataDir: text(env, 'TOKENLEDGER_DATA_DIR') ?? './.tokenledger',
    traceIdleMs: integer(env, 'TOKENLEDGER_TRACE_IDLE_MS', 5_000, 1),
    traceMaxAgeMs: integer(env, 'TOKENLEDGER_TRACE_MAX_AGE_MS', 300_000, 1),
    lateSpanRetentionMs: integer(env, 'TOKENLEDGER_LATE_SPAN_RETENTION_MS', 3_600_000, 0),
    maxOpenSpans: integer(env, 'TOKENLEDGER_MAX_OPEN_SPANS', 1_000_000, 1),
    maxOpenTraces: integer(env, 'TOKENLEDGER_MAX_OPEN_TRACES', 200_000, 1),
    cardinalityLimit: integer(env, 'TOKENLEDGER_CARDINALITY_LIMIT', 2_000, 1),
    maxBodyBytes: integer(env, 'TOKENLEDGER_MAX_BODY_BYTES', 20 * 1024 * 1024, 1),
    sqliteSynchronous: oneOf(env, 'TOKENLEDGER_SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'] as const, 'FULL'),
    rollupBucketMs: integer(env, 'TOKENLEDGER_ROLLUP_BUCKET_MS', 60_000, 1_000),
    pricesFile: text(env, 'TOKENLEDGER_PRICES_FILE'),
    authToken: text(env, 'TOKENLEDGER_AUTH_TOKEN'),
  };
  if (cfg.traceMaxAgeMs < cfg.traceIdleMs) {
    // Blame the variable that was set: a long idle time against the default maximum age names the idle time.
    if (text(env, 'TOKENLEDGER_TRACE_MAX_AGE_MS') === undefined) {
      throw new ConfigError('TOKENLEDGER_TRACE_IDLE_MS', String(cfg.traceIdleMs), `at most TOKENLEDGER_TRACE_MAX_AGE_MS (default ${cfg.traceMaxAgeMs})`);
    }
    throw new ConfigError('TOKENLEDGER_TRACE_MAX_AGE_MS', String(cfg.traceMaxAgeMs), `at least TOKENLEDGER_TRACE_IDLE_MS (${cfg.traceIdleMs})`);
  }
  return cfg;
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new ConfigError(name, v, `an integer ≥ ${min}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const hit = values.find((x) => x === v.toUpperCase());
  if (!hit) throw new ConfigError(name, v, `one of ${values.join(', ')}`);
  return hit;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces is never a default: say `0.0.0.0:port`). */
export function address(env: Env, name: string, fallback: string): HostPort {
  const v = text(env, name) ?? fallback;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(name, v, 'host:port');
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
