import { createContextKey } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { RetryInfo } from './types.ts';

/** The route chosen for a span's work; children started after setRoute() inherit it. */
export interface Route {
  route: string;
  reason?: string;
}

/** What the attribution processor remembers about a live local span. */
export interface SpanState {
  /** The first span of this trace in this process (parent absent or remote): where outcomes go. */
  localRoot: Span;
  route?: Route;
  /** The retry budget of the logical request it belongs to: its cost is added there when it ends. */
  retryBudget?: { spentUsd: number };
}

// Keyed by the span object, so an entry lives exactly as long as the span is referenced. One map per
// process, not per module copy: an app may load our ESM build (import) while the preload runs the
// CommonJS one (--require), and setRoute() must reach the processor's state either way.
const STATES = Symbol.for('tokenledger.node.span-states');
const states: WeakMap<Span, SpanState> = ((globalThis as { [STATES]?: WeakMap<Span, SpanState> })[STATES] ??= new WeakMap());

export function getSpanState(span: Span | undefined): SpanState | undefined {
  return span === undefined ? undefined : states.get(span);
}

export function setSpanState(span: Span, state: SpanState): void {
  states.set(span, state);
}

/** Context value set by withRetry(): the application-level retry the spans inside belong to (the API's keys are Symbol.for, shared by every copy). */
export const RETRY_KEY = createContextKey('tokenledger.node.retry');

/** What withRetry() puts in context for the spans started inside. */
export interface RetryContext extends RetryInfo {
  /** The budget guard's decision, as span attributes. */
  budgetAttributes?: Record<string, string>;
  /** The route the guard switched to (fallback policy). */
  route?: Route;
  retryBudget?: { spentUsd: number };
}

export function getRetry(ctx: Context): RetryContext | undefined {
  return ctx.getValue(RETRY_KEY) as RetryContext | undefined;
}
