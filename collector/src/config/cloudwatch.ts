// TOKENLEDGER_CLOUDWATCH_* and TOKENLEDGER_EMF_*: the CloudWatch outputs (collector/src/cloudwatch).
import * as sc from '@tokenledger/semconv';
import { ConfigError, type Env, flag, integer, list, listPart, number, text, url } from './parse.ts';

/** CloudWatch PutMetricData export, read from TOKENLEDGER_CLOUDWATCH_* at start. */
export interface CloudWatchConfig {
  /** Metric namespace (1–255 characters, not `AWS/…`). Env TOKENLEDGER_CLOUDWATCH_NAMESPACE; the export is on when this is set. */
  namespace: string;
  /** AWS region. Env TOKENLEDGER_CLOUDWATCH_REGION, default AWS_REGION / the SDK's region chain. */
  region?: string;
  /** Endpoint override (a local endpoint, LocalStack, a VPC endpoint). Env TOKENLEDGER_CLOUDWATCH_ENDPOINT, default unset. */
  endpoint?: string;
  /** Aggregation interval in ms: one datapoint per metric and dimension set per interval. Env TOKENLEDGER_CLOUDWATCH_INTERVAL_MS, default 60000. */
  intervalMs: number;
  /** Dimensions each metric carries when it has them, from Tenant, Feature, Workflow, Route, Provider, Model, Outcome, Component. Env TOKENLEDGER_CLOUDWATCH_DIMENSIONS, default `Tenant,Workflow,Model`. */
  dimensions: string[];
  /**
   * Dimensions of single metrics, replacing `dimensions` for them. By default the breakdowns (Tokens,
   * RetryCostUSD, CacheSavingsUSD) carry `dimensions` without Tenant: tenant-level detail on the money and
   * outcome metrics, fewer custom metrics (and data per request) for the rest. Entries replace the default of
   * the metrics they name: `Tokens=Tenant,Workflow,Model` restores a breakdown's tenant, `Tokens=` drops every
   * dimension. Env TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS (`Metric=Dim,Dim;…`).
   */
  metricDimensions: Partial<Record<string, string[]>>;
  /** The metrics exported (CostUSD, OutcomeCostUSD, Outcomes, Successes, Tokens, RetryCostUSD, CacheSavingsUSD, UnpricedCalls, TimeToFirstToken). Env TOKENLEDGER_CLOUDWATCH_METRICS, default all. */
  metrics: string[];
  /** Requests per second this collector may use of the account's shared 500 TPS PutMetricData quota. Env TOKENLEDGER_CLOUDWATCH_MAX_TPS, default 10. */
  maxTps: number;
  /** Socket timeout of one request; a timeout after sending the request whole is ambiguous (see `resendAmbiguous`). Env TOKENLEDGER_CLOUDWATCH_TIMEOUT_MS, default 10000. */
  timeoutMs: number;
  /**
   * What to do with a request sent whole that timed out or was reset unanswered (PutMetricData has no
   * idempotency token): false presumes it recorded (at most once: no duplicates, possibly a gap), true sends it
   * again (at least once: no gap, possibly duplicates). Either way it is counted in
   * tokenledger_cloudwatch_ambiguous_*. Env TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS, default false.
   */
  resendAmbiguous: boolean;
  /** First retry delay after throttling, 5xx, timeouts or network errors; doubles (with jitter) per failure. Env TOKENLEDGER_CLOUDWATCH_BACKOFF_MS, default 1000. */
  backoffMs: number;
  /** Longest retry delay. Env TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS, default 60000. */
  maxBackoffMs: number;
}

/** Embedded Metric Format output, read from TOKENLEDGER_EMF_* at start. */
export interface EmfConfig {
  /** `stdout`, `file:<path>` (appended), `tcp://host:port` or `udp://host:port` (the CloudWatch agent). Env TOKENLEDGER_EMF_OUTPUT; EMF is on when this is set. */
  output: EmfOutput;
  /** Namespace of the directives. Env TOKENLEDGER_EMF_NAMESPACE, default TOKENLEDGER_CLOUDWATCH_NAMESPACE, else `TokenLedger`. */
  namespace: string;
  /** Dimensions, as for CloudWatch. Env TOKENLEDGER_EMF_DIMENSIONS, default TOKENLEDGER_CLOUDWATCH_DIMENSIONS. */
  dimensions: string[];
  /** Dimensions of single metrics, as for CloudWatch. Env TOKENLEDGER_EMF_METRIC_DIMENSIONS, default TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS. */
  metricDimensions: Partial<Record<string, string[]>>;
  /** Largest event in bytes. Env TOKENLEDGER_EMF_MAX_EVENT_BYTES, default 262144 (256 KB; 65000 for UDP). */
  maxEventBytes: number;
}

export type EmfOutput = { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'tcp' | 'udp'; host: string; port: number };

/** Dimensions a metric may carry (each metric uses those of them it has). */
export const DIMENSIONS = [
  sc.CLOUDWATCH_DIM_TENANT,
  sc.CLOUDWATCH_DIM_FEATURE,
  sc.CLOUDWATCH_DIM_WORKFLOW,
  sc.CLOUDWATCH_DIM_ROUTE,
  sc.CLOUDWATCH_DIM_PROVIDER,
  sc.CLOUDWATCH_DIM_MODEL,
  sc.CLOUDWATCH_DIM_OUTCOME,
  sc.CLOUDWATCH_DIM_COMPONENT,
] as const;

export const METRICS = [
  sc.CLOUDWATCH_METRIC_COST_USD,
  sc.CLOUDWATCH_METRIC_OUTCOME_COST_USD,
  sc.CLOUDWATCH_METRIC_OUTCOMES,
  sc.CLOUDWATCH_METRIC_SUCCESSES,
  sc.CLOUDWATCH_METRIC_TOKENS,
  sc.CLOUDWATCH_METRIC_RETRY_COST_USD,
  sc.CLOUDWATCH_METRIC_CACHE_SAVINGS_USD,
  sc.CLOUDWATCH_METRIC_UNPRICED_CALLS,
  sc.CLOUDWATCH_METRIC_TIME_TO_FIRST_TOKEN,
] as const;

const DEFAULT_DIMENSIONS = [sc.CLOUDWATCH_DIM_TENANT, sc.CLOUDWATCH_DIM_WORKFLOW, sc.CLOUDWATCH_DIM_MODEL];
// Breakdowns drop Tenant by default: per-tenant detail stays on money and outcomes, and every metric ×
// dimension combination is a billed custom metric and a datum per interval (10,000 tenant × workflow × model
// combinations: 0.7 PutMetricData requests/s instead of 1.5).
const BREAKDOWN_METRICS = [sc.CLOUDWATCH_METRIC_TOKENS, sc.CLOUDWATCH_METRIC_RETRY_COST_USD, sc.CLOUDWATCH_METRIC_CACHE_SAVINGS_USD];
const DEFAULT_NAMESPACE = 'TokenLedger';

/** The CloudWatch export's configuration, or undefined when TOKENLEDGER_CLOUDWATCH_NAMESPACE is unset. */
export function cloudWatchConfigFromEnv(env: Env = process.env): CloudWatchConfig | undefined {
  const namespace = text(env, 'TOKENLEDGER_CLOUDWATCH_NAMESPACE');
  if (namespace === undefined) return undefined;
  if (namespace.length > 255 || /^AWS\//i.test(namespace)) {
    throw new ConfigError('TOKENLEDGER_CLOUDWATCH_NAMESPACE', namespace, '1–255 characters, not starting with AWS/');
  }
  const dimensions = list(env, 'TOKENLEDGER_CLOUDWATCH_DIMENSIONS', DIMENSIONS, DEFAULT_DIMENSIONS);
  const cfg: CloudWatchConfig = {
    namespace,
    region: text(env, 'TOKENLEDGER_CLOUDWATCH_REGION'),
    endpoint: url(env, 'TOKENLEDGER_CLOUDWATCH_ENDPOINT'),
    intervalMs: integer(env, 'TOKENLEDGER_CLOUDWATCH_INTERVAL_MS', 60_000, 1),
    dimensions,
    metrics: list(env, 'TOKENLEDGER_CLOUDWATCH_METRICS', METRICS, METRICS),
    metricDimensions: metricDimensions(env, 'TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', dimensions),
    maxTps: number(env, 'TOKENLEDGER_CLOUDWATCH_MAX_TPS', 10, 0.001),
    timeoutMs: integer(env, 'TOKENLEDGER_CLOUDWATCH_TIMEOUT_MS', 10_000, 1),
    resendAmbiguous: flag(env, 'TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS', false),
    backoffMs: integer(env, 'TOKENLEDGER_CLOUDWATCH_BACKOFF_MS', 1_000, 0),
    maxBackoffMs: integer(env, 'TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS', 60_000, 0),
  };
  if (cfg.maxTps > 500) throw new ConfigError('TOKENLEDGER_CLOUDWATCH_MAX_TPS', String(cfg.maxTps), 'at most 500 (the account quota)');
  return cfg;
}

/** The EMF output's configuration, or undefined when TOKENLEDGER_EMF_OUTPUT is unset. */
export function emfConfigFromEnv(env: Env = process.env): EmfConfig | undefined {
  const raw = text(env, 'TOKENLEDGER_EMF_OUTPUT');
  if (raw === undefined) return undefined;
  const output = emfOutput(raw);
  const dimensions =
    text(env, 'TOKENLEDGER_EMF_DIMENSIONS') !== undefined
      ? list(env, 'TOKENLEDGER_EMF_DIMENSIONS', DIMENSIONS, DEFAULT_DIMENSIONS)
      : list(env, 'TOKENLEDGER_CLOUDWATCH_DIMENSIONS', DIMENSIONS, DEFAULT_DIMENSIONS);
  return {
    output,
    namespace: text(env, 'TOKENLEDGER_EMF_NAMESPACE') ?? text(env, 'TOKENLEDGER_CLOUDWATCH_NAMESPACE') ?? DEFAULT_NAMESPACE,
    dimensions,
    metricDimensions: metricDimensions(
      env,
      text(env, 'TOKENLEDGER_EMF_METRIC_DIMENSIONS') !== undefined ? 'TOKENLEDGER_EMF_METRIC_DIMENSIONS' : 'TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS',
      dimensions,
    ),
    maxEventBytes: integer(env, 'TOKENLEDGER_EMF_MAX_EVENT_BYTES', output.kind === 'udp' ? 65_000 : 262_144, 1_024),
  };
}

function emfOutput(v: string): EmfOutput {
  if (v === 'stdout') return { kind: 'stdout' };
  if (v.startsWith('file:') && v.length > 5) return { kind: 'file', path: v.slice(5) };
  const m = /^(tcp|udp):\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d{1,5})$/.exec(v);
  if (m && Number(m[4]) <= 65535) return { kind: m[1] as 'tcp' | 'udp', host: m[2] ?? m[3]!, port: Number(m[4]) };
  throw new ConfigError('TOKENLEDGER_EMF_OUTPUT', v, 'stdout, file:<path>, tcp://host:port or udp://host:port');
}

/**
 * `Metric=Dim,Dim;Metric=Dim`: an empty list means the metric carries no dimension. The breakdown metrics it
 * does not name keep their default, `dimensions` without Tenant.
 */
function metricDimensions(env: Env, name: string, dimensions: readonly string[]): Partial<Record<string, string[]>> {
  const v = text(env, name);
  const out: Partial<Record<string, string[]>> = {};
  const defaults = Object.fromEntries(BREAKDOWN_METRICS.map((m) => [m, dimensions.filter((d) => d !== sc.CLOUDWATCH_DIM_TENANT)]));
  if (v === undefined) return defaults;
  const metricByLower = new Map(METRICS.map((m) => [m.toLowerCase(), m]));
  for (const entry of v
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const metric = metricByLower.get((eq < 0 ? entry : entry.slice(0, eq)).trim().toLowerCase());
    if (eq < 0 || metric === undefined) {
      throw new ConfigError(name, v, `Metric=Dim,Dim entries separated by ';', the metric one of ${METRICS.join(', ')} (bad entry "${entry}")`);
    }
    if (out[metric]) throw new ConfigError(name, v, `each metric once (${metric} is repeated)`);
    out[metric] = listPart(name, v, entry.slice(eq + 1), DIMENSIONS, true);
  }
  return { ...defaults, ...out };
}
