// TOKENLEDGER_OUTCOME_*, TOKENLEDGER_TRACE_INDEX_*, the identity ids, TOKENLEDGER_JAEGER_URL and
// TOKENLEDGER_SHARED_STORE: outcomes across traces and days, and the way from a number to its traces.
import { ConfigError, type Env, duration, integer, oneOf, text, url } from './parse.ts';

/** Outcome keys, the per-trace index, user and session ids, and where the global part of the store lives. */
export interface OutcomesConfig {
  /**
   * How long an outcome key waits for its outcome after its first trace (then it counts as `none`), and how
   * long after the outcome its traces still belong to it. Env TOKENLEDGER_OUTCOME_WINDOW, default `7d`.
   */
  windowMs: number;
  /** Keys held (pending, reported, and closed ones remembered for repeated reports) before new keys are refused. Env TOKENLEDGER_OUTCOME_MAX_KEYS, default 100000. */
  maxKeys: number;
  /** How long finalised traces stay in the per-trace index (and user/session costs). Env TOKENLEDGER_TRACE_INDEX_RETENTION, default `14d`. */
  traceIndexRetentionMs: number;
  /** Traces in the index before the cheapest of each workflow and hour are dropped. Env TOKENLEDGER_TRACE_INDEX_MAX_TRACES, default 1000000. */
  traceIndexMaxTraces: number;
  /** `raw` keeps user.id/enduser.id and session.id as sent, `hash` an HMAC-SHA-256 with the salt, `none` nothing. Env TOKENLEDGER_IDENTITY_IDS, default `raw`. */
  identityIds: 'RAW' | 'HASH' | 'NONE';
  /** The secret salt of `hash`. Env TOKENLEDGER_IDENTITY_SALT (required with `hash`). */
  identitySalt?: string;
  /** Jaeger UI base URL: the API, page and report link each trace there. Env TOKENLEDGER_JAEGER_URL, default unset. */
  jaegerUrl?: string;
  /** `postgres://…`: outcome keys, the trace index and the roll-up rows in one PostgreSQL shared by every instance. Env TOKENLEDGER_SHARED_STORE, default unset (the embedded store). */
  sharedStore?: string;
}

export function outcomesConfigFromEnv(env: Env = process.env): OutcomesConfig {
  const identityIds = oneOf(env, 'TOKENLEDGER_IDENTITY_IDS', ['RAW', 'HASH', 'NONE'] as const, 'RAW');
  const identitySalt = text(env, 'TOKENLEDGER_IDENTITY_SALT');
  if (identityIds === 'HASH' && (identitySalt === undefined || identitySalt.length < 16)) {
    throw new ConfigError('TOKENLEDGER_IDENTITY_SALT', identitySalt ?? '', 'a secret of at least 16 characters (TOKENLEDGER_IDENTITY_IDS=hash)');
  }
  const sharedStore = text(env, 'TOKENLEDGER_SHARED_STORE');
  if (sharedStore !== undefined && !/^postgres(ql)?:\/\//.test(sharedStore)) {
    throw new ConfigError('TOKENLEDGER_SHARED_STORE', redact(sharedStore), 'a postgres:// or postgresql:// connection URL');
  }
  return {
    windowMs: duration(env, 'TOKENLEDGER_OUTCOME_WINDOW', 7 * 86_400_000, 1_000),
    maxKeys: integer(env, 'TOKENLEDGER_OUTCOME_MAX_KEYS', 100_000, 1),
    traceIndexRetentionMs: duration(env, 'TOKENLEDGER_TRACE_INDEX_RETENTION', 14 * 86_400_000, 60_000),
    traceIndexMaxTraces: integer(env, 'TOKENLEDGER_TRACE_INDEX_MAX_TRACES', 1_000_000, 1),
    identityIds,
    identitySalt,
    jaegerUrl: url(env, 'TOKENLEDGER_JAEGER_URL')?.replace(/\/+$/, ''),
    sharedStore,
  };
}

/** A connection URL without its password, for messages. */
export function redact(connection: string): string {
  return connection.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
