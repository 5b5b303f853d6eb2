// One span → what its call cost. A cost already on the span is honoured; otherwise usage is priced
// with @tokenledger/pricing, whichever instrumentation (ours, upstream aws-sdk, OpenLLMetry, OpenLIT,
// OpenInference) wrote it.
import type { PriceBook, Usage } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import type { CostComponent, PriceTier } from '@tokenledger/semconv';
import { bool, num, str } from '../model/attribute-values.ts';
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import type { CallCost, PromptTokenCounts } from './types.ts';

const OPENINFERENCE_OPERATIONS: Record<string, string> = {
  EMBEDDING: sc.OPERATION_EMBEDDINGS,
  RETRIEVER: sc.OPERATION_RETRIEVAL,
  RERANKER: sc.OPERATION_RERANK,
};
const OPERATION_COMPONENTS: Record<string, CostComponent> = {
  [sc.OPERATION_EMBEDDINGS]: 'embedding',
  [sc.OPERATION_RETRIEVAL]: 'retrieval',
  [sc.OPERATION_RERANK]: 'rerank',
};

/** The call `span` records, or undefined when it records none (no model, usage or cost). */
export function callCost(span: SpanRecord, book: PriceBook): CallCost | undefined {
  const a = span.attributes;
  const model = str(a[sc.ATTR_GEN_AI_RESPONSE_MODEL]) ?? str(a[sc.ATTR_GEN_AI_REQUEST_MODEL]) ?? str(a[sc.FOREIGN_LLM_MODEL_NAME]);
  const input = num(a[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]) ?? num(a[sc.FOREIGN_GEN_AI_USAGE_PROMPT_TOKENS]) ?? num(a[sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT]);
  const output = num(a[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]) ?? num(a[sc.FOREIGN_GEN_AI_USAGE_COMPLETION_TOKENS]) ?? num(a[sc.FOREIGN_LLM_TOKEN_COUNT_COMPLETION]);
  const honoured = num(a[sc.ATTR_COST_USD]) ?? num(a[sc.FOREIGN_GEN_AI_USAGE_COST]) ?? num(a[sc.FOREIGN_LLM_COST_TOTAL]);
  if (model === undefined && input === undefined && output === undefined && honoured === undefined) return undefined;

  const ownProvider = str(a[sc.ATTR_GEN_AI_PROVIDER_NAME]);
  const provider = ownProvider ?? str(a[sc.FOREIGN_GEN_AI_SYSTEM]) ?? str(a[sc.FOREIGN_LLM_PROVIDER]) ?? str(a[sc.FOREIGN_LLM_SYSTEM]);
  const operation = str(a[sc.ATTR_GEN_AI_OPERATION_NAME]) ?? OPENINFERENCE_OPERATIONS[str(a[sc.FOREIGN_OPENINFERENCE_SPAN_KIND]) ?? ''];
  const tierAttr = str(a[sc.ATTR_PRICE_TIER]);
  const tier: PriceTier = (sc.PRICE_TIERS as readonly string[]).includes(tierAttr ?? '') ? (tierAttr as PriceTier) : 'on_demand';

  const cacheRead = num(a[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]) ?? num(a[sc.FOREIGN_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]) ?? num(a[sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_READ]) ?? 0;
  const cacheWrite = num(a[sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]) ?? num(a[sc.FOREIGN_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]) ?? num(a[sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE]) ?? 0;
  // The upstream aws-sdk instrumentation copies Converse inputTokens, which exclude cache tokens
  // (field notes); our own spans (they carry a cost source) already include them.
  const cacheExclusive = provider === sc.PROVIDER_AWS_BEDROCK && ownProvider === undefined && a[sc.ATTR_COST_SOURCE] === undefined;
  const inputTokens = (input ?? 0) + (cacheExclusive ? cacheRead + cacheWrite : 0);
  const usage: Usage = {
    inputTokens,
    outputTokens: output ?? 0,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
    queries: operation === sc.OPERATION_RERANK ? 1 : undefined,
  };
  let priced: ReturnType<PriceBook['cost']> | undefined;
  const price = () => (priced ??= model === undefined ? undefined : book.cost(model, usage, { provider, tier }));

  const kind: CostComponent | undefined = tier === 'self_hosted' ? 'self_hosted' : OPERATION_COMPONENTS[operation ?? ''];
  let totalUsd = 0;
  let parts: Record<'input' | 'output' | 'cache_read' | 'cache_write', number> = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  let isPriced = true;
  if (honoured !== undefined) {
    totalUsd = honoured;
    if (!kind) parts = honouredParts(a, honoured, price);
  } else if (price()?.priced) {
    const p = price()!;
    totalUsd = p.totalUsd;
    parts = { input: p.inputUsd + (p.queryUsd ?? 0), output: p.outputUsd, cache_read: p.cacheReadUsd, cache_write: p.cacheWriteUsd };
  } else {
    isPriced = false;
  }
  const components: Partial<Record<CostComponent, number>> = kind ? { [kind]: totalUsd } : parts;

  const attempt = num(a[sc.ATTR_RETRY_ATTEMPT]) ?? 0;
  const ttft = num(a[sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]);
  return {
    route: str(a[sc.ATTR_ROUTE]) ?? sc.LABEL_VALUE_UNKNOWN,
    provider: provider ?? sc.LABEL_VALUE_UNKNOWN,
    model: model ?? sc.LABEL_VALUE_UNKNOWN,
    totalUsd,
    components,
    tokens: [Math.max(0, inputTokens - cacheRead - cacheWrite), cacheRead, cacheWrite, output ?? 0],
    cacheSavingsUsd: cacheRead + cacheWrite > 0 && price()?.priced ? price()!.cacheSavingsUsd : 0,
    priced: isPriced,
    markedRetry: attempt > 0 || bool(a[sc.ATTR_FALLBACK]),
    requestHash: str(a[sc.ATTR_REQUEST_HASH]),
    ttftSeconds: ttft !== undefined && ttft >= 0 ? ttft : undefined,
    promptTokens: promptTokens(a),
  };
}

const PROMPT_ATTRIBUTES = [sc.ATTR_PROMPT_TOKENS_SYSTEM, sc.ATTR_PROMPT_TOKENS_HISTORY, sc.ATTR_PROMPT_TOKENS_CONTEXT, sc.ATTR_PROMPT_TOKENS_USER, sc.ATTR_PROMPT_TOKENS_TOOLS];

function promptTokens(a: Record<string, AttributeValue>): PromptTokenCounts | undefined {
  let found = false;
  const counts = PROMPT_ATTRIBUTES.map((name) => {
    const n = num(a[name]);
    if (n !== undefined && n > 0) found = true;
    return n !== undefined && n > 0 ? n : 0;
  }) as PromptTokenCounts;
  return found ? counts : undefined;
}

/** The span's own cost parts; what they leave of the total is input. Without parts, the price book's split scaled to the total. */
function honouredParts(a: Record<string, AttributeValue>, total: number, price: () => ReturnType<PriceBook['cost']> | undefined) {
  const own = {
    input: num(a[sc.ATTR_COST_INPUT_USD]),
    output: num(a[sc.ATTR_COST_OUTPUT_USD]),
    cache_read: num(a[sc.ATTR_COST_CACHE_READ_USD]),
    cache_write: num(a[sc.ATTR_COST_CACHE_WRITE_USD]),
  };
  if (own.input !== undefined || own.output !== undefined || own.cache_read !== undefined || own.cache_write !== undefined) {
    const known = (own.output ?? 0) + (own.cache_read ?? 0) + (own.cache_write ?? 0);
    return { input: own.input ?? Math.max(0, total - known), output: own.output ?? 0, cache_read: own.cache_read ?? 0, cache_write: own.cache_write ?? 0 };
  }
  const p = price();
  if (p?.priced && p.totalUsd > 0) {
    const f = total / p.totalUsd;
    return { input: (p.inputUsd + (p.queryUsd ?? 0)) * f, output: p.outputUsd * f, cache_read: p.cacheReadUsd * f, cache_write: p.cacheWriteUsd * f };
  }
  return { input: total, output: 0, cache_read: 0, cache_write: 0 };
}
