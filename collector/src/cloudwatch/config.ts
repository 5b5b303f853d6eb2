// TOKENLEDGER_CLOUDWATCH_* and TOKENLEDGER_EMF_*: parsed and validated at start; errors name the variable.
import * as sc from '@tokenledger/semconv';
import { ConfigError } from '../config/env.ts';
import type { CloudWatchConfig, EmfConfig, EmfOutput } from './types.ts';

type Env = Record<string, string | undefined>;

/** Dimensions a metric may carry (each metric uses those of them it has). */
export const DIMENSIONS = [
  sc.CLOUDWATCH_DIM_TENANT, sc.CLOUDWATCH_DIM_FEATURE, sc.CLOUDWATCH_DIM_WORKFLOW, sc.CLOUDWATCH_DIM_ROUTE,
  sc.CLOUDWATCH_DIM_PROVIDER, sc.CLOUDWATCH_DIM_MODEL, sc.CLOUDWATCH_DIM_OUTCOME, sc.CLOUDWATCH_DIM_COMPONENT,
] as const;

export const METRICS = [
  sc.CLOUDWATCH_METRIC_COST_USD, sc.CLOUDWATCH_METRIC_OUTCOME_COST_USD, sc.CLOUDWATCH_METRIC_OUTCOMES,
  sc.CLOUDWATCH_METRIC_SUCCESSES, sc.CLOUDWATCH_METRIC_TOKENS, sc.CLOUDWATCH_METRIC_RETRY_COST_USD,
  sc.CLOUDWATCH_METRIC_CACHE_SAVINGS_USD, sc.CLOUDWATCH_METRIC_UNPRICED_CALLS, sc.CLOUDWATCH_METRIC_TIME_TO_FIRST_TOKEN,
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
    intervalMs: number(env, 'TOKENLEDGER_CLOUDWATCH_INTERVAL_MS', 60_000, 1, true),
    dimensions,
    metrics: list(env, 'TOKENLEDGER_CLOUDWATCH_METRICS', METRICS, METRICS),
    metricDimensions: metricDimensions(env, 'TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', dimensions),
    maxTps: number(env, 'TOKENLEDGER_CLOUDWATCH_MAX_TPS', 10, 0.001, false),
    timeoutMs: number(env, 'TOKENLEDGER_CLOUDWATCH_TIMEOUT_MS', 10_000, 1, true),
    resendAmbiguous: flag(env, 'TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS', false),
    backoffMs: number(env, 'TOKENLEDGER_CLOUDWATCH_BACKOFF_MS', 1_000, 0, true),
    maxBackoffMs: number(env, 'TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS', 60_000, 0, true),
  };
  if (cfg.maxTps > 500) throw new ConfigError('TOKENLEDGER_CLOUDWATCH_MAX_TPS', String(cfg.maxTps), 'at most 500 (the account quota)');
  return cfg;
}

/** The EMF output's configuration, or undefined when TOKENLEDGER_EMF_OUTPUT is unset. */
export function emfConfigFromEnv(env: Env = process.env): EmfConfig | undefined {
  const raw = text(env, 'TOKENLEDGER_EMF_OUTPUT');
  if (raw === undefined) return undefined;
  const output = emfOutput(raw);
  const dimensions = env.TOKENLEDGER_EMF_DIMENSIONS?.trim()
    ? list(env, 'TOKENLEDGER_EMF_DIMENSIONS', DIMENSIONS, DEFAULT_DIMENSIONS)
    : list(env, 'TOKENLEDGER_CLOUDWATCH_DIMENSIONS', DIMENSIONS, DEFAULT_DIMENSIONS);
  return {
    output,
    namespace: text(env, 'TOKENLEDGER_EMF_NAMESPACE') ?? text(env, 'TOKENLEDGER_CLOUDWATCH_NAMESPACE') ?? DEFAULT_NAMESPACE,
    dimensions,
    metricDimensions: metricDimensions(env, env.TOKENLEDGER_EMF_METRIC_DIMENSIONS?.trim() ? 'TOKENLEDGER_EMF_METRIC_DIMENSIONS' : 'TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS', dimensions),
    maxEventBytes: number(env, 'TOKENLEDGER_EMF_MAX_EVENT_BYTES', output.kind === 'udp' ? 65_000 : 262_144, 1_024, true),
  };
}

function emfOutput(v: string): EmfOutput {
  if (v === 'stdout') return { kind: 'stdout' };
  if (v.startsWith('file:') && v.length > 5) return { kind: 'file', path: v.slice(5) };
  const m = /^(tcp|udp):\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d{1,5})$/.exec(v);
  if (m && Number(m[4]) <= 65535) return { kind: m[1] as 'tcp' | 'udp', host: m[2] ?? m[3]!, port: Number(m[4]) };
  throw new ConfigError('TOKENLEDGER_EMF_OUTPUT', v, 'stdout, file:<path>, tcp://host:port or udp://host:port');
}

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function url(env: Env, name: string): string | undefined {
  const v = text(env, name);
  if (v !== undefined && !/^https?:\/\/[^/]+/.test(v)) throw new ConfigError(name, v, 'an http(s):// URL');
  return v;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const v = text(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConfigError(name, v, 'true or false');
}

function number(env: Env, name: string, fallback: number, min: number, integer: boolean): number {
  const v = text(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isSafeInteger(n))) {
    throw new ConfigError(name, v, `${integer ? 'an integer' : 'a number'} ≥ ${min}`);
  }
  return n;
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
  for (const entry of v.split(';').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const metric = metricByLower.get((eq < 0 ? entry : entry.slice(0, eq)).trim().toLowerCase());
    if (eq < 0 || metric === undefined) {
      throw new ConfigError(name, v, `Metric=Dim,Dim entries separated by ';', the metric one of ${METRICS.join(', ')} (bad entry "${entry}")`);
    }
    if (out[metric]) throw new ConfigError(name, v, `each metric once (${metric} is repeated)`);
    out[metric] = parseList(name, v, entry.slice(eq + 1), DIMENSIONS, true);
  }
  return { ...defaults, ...out };
}

function list(env: Env, name: string, allowed: readonly string[], fallback: readonly string[]): string[] {
  const v = text(env, name);
  if (v === undefined) return [...fallback];
  return parseList(name, v, v, allowed, false);
}

/** `part` of the variable's value `v` as a list of `allowed` names, case-insensitive. */
function parseList(name: string, v: string, part: string, allowed: readonly string[], emptyOk: boolean): string[] {
  const items = [...new Set(part.split(',').map((s) => s.trim()).filter(Boolean))];
  const byLower = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const out = items.map((i) => byLower.get(i.toLowerCase()));
  if ((items.length === 0 && !emptyOk) || out.some((o) => o === undefined)) throw new ConfigError(name, v, `a comma-separated list of ${allowed.join(', ')}`);
  return out as string[];
}
