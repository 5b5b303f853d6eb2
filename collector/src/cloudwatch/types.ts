/** CloudWatch PutMetricData export, read from TOKENLEDGER_CLOUDWATCH_* at start (see config.ts). */
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

/** One contribution to a CloudWatch datapoint: summed (`sum`) or one value of a distribution (`dist`). */
export interface Observation {
  metric: string;
  unit: StandardUnit;
  /** Dimension name/value pairs, sorted by name. */
  dims: [string, string][];
  /** JSON of `dims`, computed once: the outbox column and the grouping key. */
  dimsJson: string;
  kind: 'sum' | 'dist';
  value: number;
  /** How many times `value` was observed (dist); 1 for sums. */
  count: number;
}

export type StandardUnit = 'None' | 'Count' | 'Seconds';
