// Public API of @tokenledger/node. The SDK itself is started by `@tokenledger/node/register`.
export { withAttribution, withOutcomeKey, setRoute, recordOutcome, withRetry } from './api.ts';
export { reportOutcome } from './report-outcome.ts';
export { checkBudget, configureBudgetGuard, retryBudget } from './budget-guard.ts';
export type { BudgetCheck, BudgetPolicy, BudgetStatus, BudgetTarget, RetryBudget } from './budget-guard.ts';
export { BudgetExceededError, BUDGET_EXCEEDED_CODE, isBudgetExceeded } from './budget-error.ts';
export { InFlightSpanProcessor } from './in-flight.ts';
export { AttributionSpanProcessor } from './attribution-processor.ts';
export { JaegerPropagator, UBER_TRACE_ID_HEADER, UBER_BAGGAGE_PREFIX } from './propagation/jaeger.ts';
export { ConfigError, readConfig } from './config.ts';
export { ENV_INSTRUMENTATIONS, ENV_HTTP_INSTRUMENTATION, ENV_COLLECTOR_URL, PROVIDERS } from './types.ts';
export type {
  Attribution, BudgetGuardConfig, GuardDecision, OutcomeReport, ReportOutcomeOptions, ReportOutcomeResult, RetryGuard, RetryInfo, TokenLedgerNodeConfig, Provider,
} from './types.ts';
