import type { CostComponent, SpanCheck } from '@tokenledger/semconv';

/** Token counts in the order of TOKEN_TYPES: uncached input, cache read, cache write, output. */
export type TokenCounts = [number, number, number, number];

/** Input tokens by where they come from, in the order of PROMPT_TOKEN_SOURCES: system, history, context, user, tools. */
export type PromptTokenCounts = [number, number, number, number, number];

/** What a call, or calls summed per route/provider/model, cost. */
interface CostFigures {
  route: string;
  provider: string;
  model: string;
  totalUsd: number;
  components: Partial<Record<CostComponent, number>>;
  tokens: TokenCounts;
  cacheSavingsUsd: number;
}

/** What the cost of calls cannot say, counted beside it. */
export interface CallGaps {
  /** Calls with no price (unknown usage included). */
  unpriced: number;
  /** Of those, calls whose usage no span reported. */
  unknownUsage: number;
  /** Cost of calls priced without the cache counts their spans cannot carry (part of totalUsd). */
  excludingCacheUsd: number;
}

/** What one model/embedding/retrieval/rerank span costs, read or priced from its attributes. */
export interface CallCost extends CostFigures {
  /** Which instrumentation wrote the span (producer table id). */
  producer: string;
  /** False when the call has usage or a model but no price anywhere: counted, never priced at zero. */
  priced: boolean;
  /** A model call without usage or cost: unpriced, and counted as of unknown usage. */
  unknownUsage: boolean;
  /** Priced without cache effects: the producer cannot put the call's cache counts on its span. */
  excludesCache: boolean;
  /** Of an operation its producer nests: not a call when another of its spans is its child. */
  mayWrap: boolean;
  /** Marked by the application: retry.attempt > 0 or fallback. */
  markedRetry: boolean;
  requestHash?: string;
  ttftSeconds?: number;
  /** From the prompt-breakdown attributes, when the instrumentation wrote them. */
  promptTokens?: PromptTokenCounts;
}

/** A trace's calls summed per route/provider/model. */
export interface CallGroup extends CostFigures, CallGaps {
  retryUsd: number;
}

/** Per producer: spans failing a check, cost attributes not taken as the price, calls of unknown usage and cost without cache effects. */
export interface ProducerCounts {
  producer: string;
  checks: Partial<Record<SpanCheck, number>>;
  /** Another producer's cost that disagreed with the catalog (the catalog's price was used). */
  costDisagrees: number;
  /** Another producer's cost of 0, not taken as a price. */
  costZero: number;
}

/** Trace-level labels, resolved at finalisation. */
export interface TraceLabels {
  tenant: string;
  feature: string;
  workflow: string;
  outcome: string;
  /** `true`, `false` or `unknown`. */
  success: string;
  /** Not a metric label: the outcome key the trace carried (its late spans go to the same key). */
  outcomeKey?: string;
}

/** The roll-up of one finalised trace (or of the late spans of one already finalised). */
export interface TraceRollup {
  traceId: string;
  /** True for spans that arrived after their trace was finalised: cost and tokens only, no outcome. */
  late: boolean;
  spans: number;
  /** When it was finalised (epoch ms): its time bucket in /api/v1/outcomes. */
  atMs: number;
  labels: TraceLabels;
  /** The outcome key its spans carry: its outcome is then its key's, counted once for all the key's traces. */
  outcomeKey?: string;
  /** Earliest span start and latest span end (epoch ms; NaN without spans). */
  startMs: number;
  endMs: number;
  /** Model, embedding, retrieval and rerank calls. */
  callCount: number;
  /** user.id (else enduser.id) and session.id, from the root else any span. */
  user?: string;
  session?: string;
  totalUsd: number;
  retryUsd: number;
  tokens: TokenCounts;
  calls: CallGroup[];
  /** Unpriced calls by provider and model; `unknownUsage` of them had no usage at all (by producer). */
  unpriced: { provider: string; model: string; producer: string; count: number; unknownUsage: number }[];
  /** Cost priced without cache effects, by provider, model and producer. */
  excludingCache: { provider: string; model: string; producer: string; usd: number }[];
  producers: ProducerCounts[];
  ttft: { provider: string; model: string; seconds: number }[];
  /** Absent when no span said where its input tokens came from. */
  promptTokens?: PromptTokenCounts;
}
