import type { AutoscalingConfig } from './autoscaling.ts';
import type { BudgetsConfig } from './budgets.ts';
import type { CapacityConfig } from './capacity.ts';
import type { CloudWatchConfig, EmfConfig } from './cloudwatch.ts';
import type { QuotaConfig } from './quota.ts';
import type { OutcomesConfig } from './outcomes.ts';

/** The collector's configuration, read from TOKENLEDGER_* environment variables at start, all at once (env.ts). */
export interface CollectorConfig {
  /** OTLP/HTTP listen address. Env TOKENLEDGER_OTLP_ADDR, default `127.0.0.1:4318`. */
  otlp: HostPort;
  /** Metrics/API listen address. Env TOKENLEDGER_HTTP_ADDR, default `127.0.0.1:9464`. */
  http: HostPort;
  /** Directory of the embedded store (created when missing). Env TOKENLEDGER_DATA_DIR, default `./.tokenledger`. */
  dataDir: string;
  /** A trace whose root has arrived is finalised this long after its last span. Env TOKENLEDGER_TRACE_IDLE_MS, default 5000. */
  traceIdleMs: number;
  /** A trace is finalised at this age even without its root. Env TOKENLEDGER_TRACE_MAX_AGE_MS, default 300000. */
  traceMaxAgeMs: number;
  /** How long a finalised trace's attribution is kept for late spans. Env TOKENLEDGER_LATE_SPAN_RETENTION_MS, default 3600000. */
  lateSpanRetentionMs: number;
  /** Spans held open (acknowledged, not yet rolled up) before accept() pushes back. Env TOKENLEDGER_MAX_OPEN_SPANS, default 1000000. */
  maxOpenSpans: number;
  /** Traces held open before accept() pushes back. Env TOKENLEDGER_MAX_OPEN_TRACES, default 200000. */
  maxOpenTraces: number;
  /** Label sets per metric before new ones fold into the overflow series. Env TOKENLEDGER_CARDINALITY_LIMIT, default 2000. */
  cardinalityLimit: number;
  /** Largest OTLP request body, after decompression. Env TOKENLEDGER_MAX_BODY_BYTES, default 20971520 (20 MiB). */
  maxBodyBytes: number;
  /** Body bytes all OTLP requests may hold at once before new ones get 429. Env TOKENLEDGER_MAX_IN_FLIGHT_BYTES, default 4 × the body limit. */
  maxInFlightBytes: number;
  /** Of those, what the requests of one client address may hold. Env TOKENLEDGER_MAX_PEER_IN_FLIGHT_BYTES, default half of them (at least one body). */
  maxPeerInFlightBytes?: number;
  /** Slowest upload taken, bytes/s over 5 s windows (408 below it); 0: none. Env TOKENLEDGER_MIN_UPLOAD_RATE, default 65536. */
  minUploadBytesPerSecond: number;
  /** Without a token, host names the API's data routes may be asked by (besides IP literals, localhost and its listen host); `*`: any. Env TOKENLEDGER_ALLOWED_HOSTS. */
  allowedHosts: string[];
  /** SQLite `synchronous` in WAL mode: `FULL` survives power loss, `NORMAL` survives process crashes. Env TOKENLEDGER_SQLITE_SYNCHRONOUS, default `FULL`. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Width of the time buckets of /api/v1/outcomes. Env TOKENLEDGER_ROLLUP_BUCKET_MS, default 60000. */
  rollupBucketMs: number;
  /** Price overrides file for @tokenledger/pricing. Env TOKENLEDGER_PRICES_FILE, default unset. */
  pricesFile?: string;
  /** Bearer token required on every endpoint except /healthz and /readyz. Env TOKENLEDGER_AUTH_TOKEN, default unset (no auth). */
  authToken?: string;
  /** Self-hosted capacity cost (TOKENLEDGER_CAPACITY_*). */
  capacity: CapacityConfig;
  /** PutMetricData export (TOKENLEDGER_CLOUDWATCH_*); off (undefined) without a namespace. */
  cloudWatch?: CloudWatchConfig;
  /** Embedded Metric Format output (TOKENLEDGER_EMF_*); off (undefined) without an output. */
  emf?: EmfConfig;
  /** Budgets and forecasts (TOKENLEDGER_BUDGETS_FILE, TOKENLEDGER_FORECAST_WINDOW_DAYS, TOKENLEDGER_BUDGETS_REFRESH_MS). */
  budgets: BudgetsConfig;
  /** Bedrock tokens-per-minute quotas (TOKENLEDGER_QUOTAS). */
  quota: QuotaConfig;
  /** Autoscaling signals for CloudWatch (TOKENLEDGER_AUTOSCALING_*). */
  autoscaling: AutoscalingConfig;
  /** Outcome keys, the trace index, user/session ids, the Jaeger link and the shared store. */
  outcomes: OutcomesConfig;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Source of the current time (epoch ms); injected so tests drive trace completion deterministically. */
export interface Clock {
  now(): number;
}
