import type { CostComponent } from '@tokenledger/semconv';

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

/** What one model/embedding/retrieval/rerank span costs, read or priced from its attributes. */
export interface CallCost extends CostFigures {
  /** False when the call has usage or a model but no price anywhere: counted, never priced at zero. */
  priced: boolean;
  /** Marked by the application: retry.attempt > 0 or fallback. */
  markedRetry: boolean;
  requestHash?: string;
  ttftSeconds?: number;
  /** From the prompt-breakdown attributes, when the instrumentation wrote them. */
  promptTokens?: PromptTokenCounts;
}

/** A trace's calls summed per route/provider/model. */
export interface CallGroup extends CostFigures {
  retryUsd: number;
}

/** Trace-level labels, resolved at finalisation. */
export interface TraceLabels {
  tenant: string;
  feature: string;
  workflow: string;
  outcome: string;
  /** `true`, `false` or `unknown`. */
  success: string;
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
  totalUsd: number;
  retryUsd: number;
  tokens: TokenCounts;
  calls: CallGroup[];
  unpriced: { provider: string; model: string; count: number }[];
  ttft: { provider: string; model: string; seconds: number }[];
  /** Absent when no span said where its input tokens came from. */
  promptTokens?: PromptTokenCounts;
}
