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
