/** Environment variables read by the preload, besides the standard `OTEL_*` ones the SDK reads itself. */
export const ENV_INSTRUMENTATIONS = 'TOKENLEDGER_INSTRUMENTATIONS';
export const ENV_HTTP_INSTRUMENTATION = 'TOKENLEDGER_HTTP_INSTRUMENTATION';

/** Provider instrumentations the preload knows (see instrumentations.ts). */
export const PROVIDERS = ['bedrock', 'openai', 'anthropic', 'pg'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Configuration of `@tokenledger/node/register`, read from the environment at start. */
export interface TokenLedgerNodeConfig {
  /**
   * Provider instrumentations to enable, a comma-separated list of `bedrock` (the AWS SDK: Bedrock Runtime,
   * SageMaker Runtime, Bedrock Agent Runtime, batch jobs), `openai` (also OpenAI-compatible self-hosted
   * servers), `anthropic`, `pg` (PostgreSQL retrieval), or `none`. Default: all of them.
   * Env: `TOKENLEDGER_INSTRUMENTATIONS`.
   */
  instrumentations: Provider[];
  /**
   * Enable `@opentelemetry/instrumentation-http`: server spans for incoming requests (so a trace started
   * upstream, with W3C or Jaeger headers, is continued) and context injection into outgoing requests.
   * Default `true`. Env: `TOKENLEDGER_HTTP_INSTRUMENTATION` (`true`/`false`).
   */
  httpInstrumentation: boolean;
}

/** Attribution of a block of work; every field becomes W3C baggage and an attribute of every span. */
export interface Attribution {
  tenant?: string;
  feature?: string;
  workflow?: string;
  /**
   * Business key of an outcome that may span several traces and be known later (a ticket, conversation or
   * lead id): the collector gives every trace carrying it one outcome, reported with reportOutcome(). Baggage
   * ATTR_OUTCOME_KEY (tokenledger.outcome.key).
   */
  outcomeKey?: string;
}

/** An outcome reported later, from anywhere: every trace carrying `key` (within the collector's window) belongs to it. */
export interface OutcomeReport {
  key: string;
  /** Business outcome name, e.g. `ticket_resolved`. */
  outcome: string;
  success: boolean;
  /** When the outcome happened (default: when the collector receives the report). */
  time?: Date | number;
}

/** Where reportOutcome() sends the report. Defaults: TOKENLEDGER_COLLECTOR_URL and TOKENLEDGER_AUTH_TOKEN. */
export interface ReportOutcomeOptions {
  /** The collector's API address, e.g. `http://collector:9464`. */
  url?: string;
  /** Bearer token of the collector's API. */
  token?: string;
  /** Attempts on a network error, 429 or 5xx (a report is idempotent, so repeating it is safe). Default 3. */
  attempts?: number;
  /** Give up on one attempt after this many ms. Default 5000. */
  timeoutMs?: number;
}

/** What reportOutcome() resolves to; it never rejects. */
export interface ReportOutcomeResult {
  ok: boolean;
  /** HTTP status of the last attempt (0: no answer). */
  status: number;
  /** `recorded` (first report), `repeat` (the same outcome again) or the collector's error message. */
  result?: string;
  error?: string;
}

/** An application-level retry or fallback (not the SDK's own transport retries). */
export interface RetryInfo {
  /** 0 for the first call, n for the n-th retry of the same logical request. */
  attempt: number;
  /** Why the call is repeated, e.g. `throttled`, `timeout`, `invalid_output`. */
  reason?: string;
  /** This call replaces a failed call to another model. */
  fallback?: boolean;
}

/** Variables of the opt-in budget guard (read when the app first uses it; the collector's address and token are ENV_COLLECTOR_URL and ENV_AUTH_TOKEN). */
export const ENV_BUDGET_FAIL_CLOSED = 'TOKENLEDGER_BUDGET_FAIL_CLOSED';
export const ENV_BUDGET_CACHE_MS = 'TOKENLEDGER_BUDGET_CACHE_MS';
export const ENV_BUDGET_TIMEOUT_MS = 'TOKENLEDGER_BUDGET_TIMEOUT_MS';

/** The budget guard's configuration (configureBudgetGuard(), else the environment). */
export interface BudgetGuardConfig {
  /** The collector's API base URL. Env `TOKENLEDGER_COLLECTOR_URL` (as for reportOutcome()), default `http://127.0.0.1:9464`. */
  url: string;
  /** Bearer token of the collector. Env `TOKENLEDGER_AUTH_TOKEN` (the collector's own variable for it), default none. */
  authToken?: string;
  /** Treat an unreadable budget as spent (default false: fail open). Env `TOKENLEDGER_BUDGET_FAIL_CLOSED`. */
  failClosed: boolean;
  /** How long budget statuses (or their absence) are reused, ms. Env `TOKENLEDGER_BUDGET_CACHE_MS`, default 15000. */
  cacheMs: number;
  /** Longest wait for the collector, ms. Env `TOKENLEDGER_BUDGET_TIMEOUT_MS`, default 1000. */
  timeoutMs: number;
}

/** The budget policy of one withRetry() attempt. */
export interface RetryGuard {
  /** `refuse`: throw BudgetExceededError; `fallback`: run on `fallbackRoute`; `mark`: run, record the decision only. */
  policy: 'refuse' | 'fallback' | 'mark';
  /** The cheaper route `fallback` switches to (without it, `fallback` only marks). */
  fallbackRoute?: string;
  /** Whose monthly budgets to check; default the attribution baggage (withAttribution). */
  tenant?: string;
  feature?: string;
  workflow?: string;
  /** The logical request's retry budget (retryBudget()): attempts and dollars across its withRetry() calls. */
  retryBudget?: { readonly maxAttempts?: number; readonly maxUsd?: number; spentUsd: number };
}

/** What a guarded withRetry() passes to its function. */
export interface GuardDecision {
  decision: 'allow' | 'fallback' | 'mark' | 'fail_open';
  /** The route to take: the fallback route when the budget is spent under `fallback`. */
  route?: string;
  reason?: string;
  budget?: string;
}
/** The collector's API address and bearer token, for reportOutcome() (when no option is given) and the budget guard. */
export const ENV_COLLECTOR_URL = 'TOKENLEDGER_COLLECTOR_URL';
export const ENV_AUTH_TOKEN = 'TOKENLEDGER_AUTH_TOKEN';
/** The collector's default API address (TOKENLEDGER_HTTP_ADDR's default). */
export const DEFAULT_COLLECTOR_URL = 'http://127.0.0.1:9464';
