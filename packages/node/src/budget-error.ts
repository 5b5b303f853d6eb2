// The one error the budget guard throws into the app, and only under the `refuse` policy the app opted into.
// An app may load our ESM build while the preload runs the CommonJS one: two copies of this class exist in
// one process, so `instanceof` and isBudgetExceeded() recognise the error by a brand (Symbol.for, one per
// process) and its `code`, never by the class object.
import type { BudgetReason } from '@tokenledger/semconv';

const BRAND = Symbol.for('tokenledger.node.budget-exceeded');
/** The `code` of a budget refusal. */
export const BUDGET_EXCEEDED_CODE = 'ERR_TOKENLEDGER_BUDGET_EXCEEDED';

/** Thrown by withRetry() with `guard.policy: 'refuse'` when a budget is spent. Catch it with isBudgetExceeded(). */
export class BudgetExceededError extends Error {
  readonly code = BUDGET_EXCEEDED_CODE;
  /** `exceeded` (a monthly budget), `retry_attempts`, `retry_usd` (the request's retry budget), `unavailable` (fail-closed). */
  readonly reason: BudgetReason;
  /** The budget that refused, `<scope>/<name>` or `retry`. */
  readonly budget?: string;
  readonly [BRAND] = true;

  constructor(reason: BudgetReason, budget?: string) {
    super(`tokenledger: refused by budget${budget ? ` ${budget}` : ''} (${reason})`);
    this.name = 'BudgetExceededError';
    this.reason = reason;
    this.budget = budget;
  }

  /** `err instanceof BudgetExceededError` holds for a refusal from any copy of this package. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isBudgetExceeded(value);
  }
}

/** Whether `err` is a budget refusal, whichever copy of @tokenledger/node threw it. */
export function isBudgetExceeded(err: unknown): err is BudgetExceededError {
  if (typeof err !== 'object' || err === null) return false;
  return (err as { [BRAND]?: unknown })[BRAND] === true || (err as { code?: unknown }).code === BUDGET_EXCEEDED_CODE;
}
