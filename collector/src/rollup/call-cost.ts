// One span → what its call cost. The span is read by its producer's conventions (../producers): ours,
// the upstream aws-sdk and openai instrumentations, OpenLLMetry, OpenLIT, the Vercel AI SDK, and by the
// GenAI conventions anything else (OpenInference names included).
//
// Whose price: tokenledger.cost.usd (our instrumentation, or the host app) is honoured. Another producer's
// cost attribute is honoured only when it is positive and the catalog agrees within rounding, or has no
// price; 0 is not a price, and on disagreement the catalog wins (both counted by producer). A model span
// with no usage and no cost is a call of unknown usage: counted with the unpriced calls, never a $0 call.
import type { PriceBook, Usage } from '@tokenledger/pricing';
import * as sc from '@tokenledger/semconv';
import type { CostComponent, PriceTier, SpanCheck } from '@tokenledger/semconv';
import { bool, num, str } from '../model/attribute-values.ts';
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import { billedByTokens, cost, count, readSpan } from '../producers/index.ts';
import type { CallCost, PromptTokenCounts } from './types.ts';

const OPERATION_COMPONENTS: Record<string, CostComponent> = {
  [sc.OPERATION_EMBEDDINGS]: 'embedding',
  [sc.OPERATION_RETRIEVAL]: 'retrieval',
  [sc.OPERATION_RERANK]: 'rerank',
};
const STATUS_ERROR = 2;
/** Two costs of one call agree when they differ by no more than this fraction (rounding of a per-1K price list). */
const AGREE = 1e-6;

/** A span as the roll-up counts it: its call (if it is one), who made it, and what was wrong with it. */
export interface PricedSpan {
  call?: CallCost;
  producer: string;
  checks: readonly SpanCheck[];
  /** Another producer's cost attribute that was not the price, and why. */
  ignoredCost?: typeof sc.FOREIGN_COST_DISAGREES | typeof sc.FOREIGN_COST_ZERO;
}

/** The call `span` records, or undefined when it records none; `priced`, what the roll-up made of it already (else priced now). */
export function callCost(span: SpanRecord, book: PriceBook, priced?: PricedSpan): CallCost | undefined {
  return (priced ?? priceSpan(span, book)).call;
}

export function priceSpan(span: SpanRecord, book: PriceBook): PricedSpan {
  const a = span.attributes;
  const r = readSpan(a);
  if (!r.isCall) return { producer: r.producer, checks: r.checks };
  const tierAttr = str(a[sc.ATTR_PRICE_TIER]);
  const tier: PriceTier = tierAttr !== undefined && (sc.PRICE_TIERS as readonly string[]).includes(tierAttr) ? (tierAttr as PriceTier) : 'on_demand';
  const { provider, model, operation } = r;
  const inputTokens = r.input ?? 0;
  const usage: Usage = {
    inputTokens,
    outputTokens: r.output ?? 0,
    cacheReadInputTokens: r.cacheRead,
    cacheCreationInputTokens: r.cacheWrite,
    queries: operation === sc.OPERATION_RERANK ? 1 : undefined,
  };
  let priced: ReturnType<PriceBook['cost']> | undefined;
  const price = () => (priced ??= model === undefined ? undefined : book.cost(model, usage, { provider, tier }));

  const kind: CostComponent | undefined = tier === 'self_hosted' ? 'self_hosted' : OPERATION_COMPONENTS[operation ?? ''];
  let totalUsd = 0;
  let parts: Record<'input' | 'output' | 'cache_read' | 'cache_write', number> = { input: 0, output: 0, cache_read: 0, cache_write: 0 };
  let isPriced = true;
  let unknownUsage = false;
  let ignoredCost: PricedSpan['ignoredCost'];
  const honour = (usd: number) => {
    totalUsd = usd;
    if (!kind) parts = honouredParts(a, usd, price, r.checks);
  };
  const fromCatalog = () => {
    const p = price()!;
    totalUsd = p.totalUsd;
    parts = { input: p.inputUsd + (p.queryUsd ?? 0), output: p.outputUsd, cache_read: p.cacheReadUsd, cache_write: p.cacheWriteUsd };
  };
  const catalogPrices = () => (r.usageKnown || !billedByTokens(operation)) && price()?.priced === true;

  if (r.ownCost !== undefined) {
    honour(r.ownCost);
  } else if (r.foreignCost !== undefined && r.foreignCost > 0) {
    if (catalogPrices() && !agree(r.foreignCost, price()!.totalUsd)) {
      ignoredCost = sc.FOREIGN_COST_DISAGREES;
      fromCatalog();
    } else honour(r.foreignCost);
  } else {
    if (r.foreignCost !== undefined) ignoredCost = sc.FOREIGN_COST_ZERO;
    if (!r.usageKnown && billedByTokens(operation)) {
      // A failed call (error status) without usage is a request the provider refused or that broke before an
      // answer: not billed, $0. Any other model call whose usage nobody reported is unknown, not free.
      if (span.statusCode !== STATUS_ERROR) {
        unknownUsage = true;
        isPriced = false;
      }
    } else if (price()?.priced) fromCatalog();
    else isPriced = false;
  }
  const components: Partial<Record<CostComponent, number>> = kind ? { [kind]: totalUsd } : parts;

  const attempt = num(a[sc.ATTR_RETRY_ATTEMPT]) ?? 0;
  const call: CallCost = {
    route: str(a[sc.ATTR_ROUTE]) ?? sc.LABEL_VALUE_UNKNOWN,
    provider: provider ?? sc.LABEL_VALUE_UNKNOWN,
    model: model ?? sc.LABEL_VALUE_UNKNOWN,
    producer: r.producer,
    totalUsd,
    components,
    tokens: [Math.max(0, inputTokens - r.cacheRead - r.cacheWrite), r.cacheRead, r.cacheWrite, r.output ?? 0],
    cacheSavingsUsd: r.cacheRead + r.cacheWrite > 0 && price()?.priced ? price()!.cacheSavingsUsd : 0,
    priced: isPriced,
    unknownUsage,
    excludesCache: r.excludesCache && r.usageKnown && isPriced,
    mayWrap: r.mayWrap,
    markedRetry: attempt > 0 || bool(a[sc.ATTR_FALLBACK]),
    requestHash: str(a[sc.ATTR_REQUEST_HASH]),
    ttftSeconds: r.ttftSeconds,
    promptTokens: promptTokens(a, r.checks),
  };
  return { call, producer: r.producer, checks: r.checks, ignoredCost };
}

function agree(a: number, b: number): boolean {
  return Math.abs(a - b) <= AGREE * Math.max(Math.abs(a), Math.abs(b));
}

/** Each name alone, as count() takes names (no array made per span). */
const PROMPT_ATTRIBUTES = [sc.ATTR_PROMPT_TOKENS_SYSTEM, sc.ATTR_PROMPT_TOKENS_HISTORY, sc.ATTR_PROMPT_TOKENS_CONTEXT, sc.ATTR_PROMPT_TOKENS_USER, sc.ATTR_PROMPT_TOKENS_TOOLS]
  .map((name) => [name]);

function promptTokens(a: Record<string, AttributeValue>, checks: SpanCheck[]): PromptTokenCounts | undefined {
  let counts: PromptTokenCounts | undefined;
  for (let i = 0; i < PROMPT_ATTRIBUTES.length; i++) {
    const n = count(a, PROMPT_ATTRIBUTES[i]!, checks) ?? 0;
    if (n > 0) (counts ??= [0, 0, 0, 0, 0])[i] = n;
  }
  return counts;
}

const COST_PARTS = {
  input: [sc.ATTR_COST_INPUT_USD],
  output: [sc.ATTR_COST_OUTPUT_USD],
  cache_read: [sc.ATTR_COST_CACHE_READ_USD],
  cache_write: [sc.ATTR_COST_CACHE_WRITE_USD],
};

/** The span's own cost parts; what they leave of the total is input. Without parts, the price book's split scaled to the total. */
function honouredParts(a: Record<string, AttributeValue>, total: number, price: () => ReturnType<PriceBook['cost']> | undefined, checks: SpanCheck[]) {
  const own = {
    input: cost(a, COST_PARTS.input, checks),
    output: cost(a, COST_PARTS.output, checks),
    cache_read: cost(a, COST_PARTS.cache_read, checks),
    cache_write: cost(a, COST_PARTS.cache_write, checks),
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
