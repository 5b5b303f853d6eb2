// Every TOKENLEDGER_* variable the collector reads, parsed and validated here at start, all at once (the
// add-ons' sections too); a bad value stops start-up with a ConfigError naming the variable.
import { budgetsConfigFromEnv } from './budgets.ts';
import { capacityConfigFromEnv } from './capacity.ts';
import { cloudWatchConfigFromEnv, emfConfigFromEnv } from './cloudwatch.ts';
import { autoscalingConfigFromEnv } from './autoscaling.ts';
import { quotaConfigFromEnv } from './quota.ts';
import { outcomesConfigFromEnv } from './outcomes.ts';
import { address, ConfigError, type Env, hostnames, integer, oneOf, text } from './parse.ts';
import type { CollectorConfig } from './types.ts';

const DEFAULT_HTTP_ADDR = '127.0.0.1:9464';

export function configFromEnv(env: Env = process.env): CollectorConfig {
  const maxBodyBytes = integer(env, 'TOKENLEDGER_MAX_BODY_BYTES', 20 * 1024 * 1024, 1);
  const maxInFlightBytes = integer(env, 'TOKENLEDGER_MAX_IN_FLIGHT_BYTES', 4 * maxBodyBytes, maxBodyBytes);
  const cfg: CollectorConfig = {
    otlp: address(env, 'TOKENLEDGER_OTLP_ADDR', '127.0.0.1:4318'),
    http: address(env, 'TOKENLEDGER_HTTP_ADDR', DEFAULT_HTTP_ADDR),
    dataDir: text(env, 'TOKENLEDGER_DATA_DIR') ?? './.tokenledger',
    traceIdleMs: integer(env, 'TOKENLEDGER_TRACE_IDLE_MS', 5_000, 1),
    traceMaxAgeMs: integer(env, 'TOKENLEDGER_TRACE_MAX_AGE_MS', 300_000, 1),
    lateSpanRetentionMs: integer(env, 'TOKENLEDGER_LATE_SPAN_RETENTION_MS', 3_600_000, 0),
    maxOpenSpans: integer(env, 'TOKENLEDGER_MAX_OPEN_SPANS', 1_000_000, 1),
    maxOpenTraces: integer(env, 'TOKENLEDGER_MAX_OPEN_TRACES', 200_000, 1),
    cardinalityLimit: integer(env, 'TOKENLEDGER_CARDINALITY_LIMIT', 2_000, 1),
    maxBodyBytes,
    maxInFlightBytes,
    // Unset: the receiver's default (half of the budget, at least one body).
    maxPeerInFlightBytes:
      text(env, 'TOKENLEDGER_MAX_PEER_IN_FLIGHT_BYTES') === undefined ? undefined : integer(env, 'TOKENLEDGER_MAX_PEER_IN_FLIGHT_BYTES', 0, 1),
    minUploadBytesPerSecond: integer(env, 'TOKENLEDGER_MIN_UPLOAD_RATE', 64 * 1024, 0),
    allowedHosts: hostnames(env, 'TOKENLEDGER_ALLOWED_HOSTS'),
    sqliteSynchronous: oneOf(env, 'TOKENLEDGER_SQLITE_SYNCHRONOUS', ['FULL', 'NORMAL'] as const, 'FULL'),
    rollupBucketMs: integer(env, 'TOKENLEDGER_ROLLUP_BUCKET_MS', 60_000, 1_000),
    pricesFile: text(env, 'TOKENLEDGER_PRICES_FILE'),
    authToken: text(env, 'TOKENLEDGER_AUTH_TOKEN'),
    capacity: capacityConfigFromEnv(env),
    cloudWatch: cloudWatchConfigFromEnv(env),
    emf: emfConfigFromEnv(env),
    budgets: budgetsConfigFromEnv(env),
    quota: quotaConfigFromEnv(env),
    autoscaling: autoscalingConfigFromEnv(env),
    outcomes: outcomesConfigFromEnv(env),
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

/** How a client (`tokenledger report`) reaches a running collector: `url` (default from its API address) and bearer token. */
export function clientConfigFromEnv(env: Env = process.env, url?: string): { url: string; authToken?: string } {
  if (url !== undefined) return { url, authToken: text(env, 'TOKENLEDGER_AUTH_TOKEN') };
  const a = address(env, 'TOKENLEDGER_HTTP_ADDR', DEFAULT_HTTP_ADDR);
  const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`, authToken: text(env, 'TOKENLEDGER_AUTH_TOKEN') };
}
