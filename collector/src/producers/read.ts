// One span read by its producer's conventions into what the pricing needs: normalised usage (input
// including cache), the costs it carries, and what the span cannot tell (cache effects, estimated counts).
// Bad numbers are not used: each failed check is named, for a counter and diag (call-cost.ts, trace-state.ts).
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { SpanCheck } from '@tokenledger/semconv';
import { num, str } from '../model/attribute-values.ts';
import { type Attrs, GENAI_SEMCONV, PRODUCERS, type ProducerEntry, type SpanFacts } from './table.ts';
import { versionIn } from './version.ts';

export interface SpanReading {
  /** Producer label: an entry id, or `genai-semconv`. */
  producer: string;
  provider?: string;
  model?: string;
  operation?: string;
  /** Input tokens INCLUDING cache reads and writes (normalised to the GenAI convention). */
  input?: number;
  output?: number;
  cacheRead: number;
  cacheWrite: number;
  /** The span reports usage (some count, not all zero). */
  usageKnown: boolean;
  /** tokenledger.cost.usd: written by our instrumentation or the host app, always honoured. */
  ownCost?: number;
  /** Another producer's cost attribute (gen_ai.usage.cost, `llm.cost.total`). */
  foreignCost?: number;
  /** The call may have used a prompt cache the span cannot tell of: priced without cache effects. */
  excludesCache: boolean;
  /**
   * Counts from a tokenizer or estimate (marked tokenledger.usage.estimated, or known of the producer). Not in
   * the roll-up yet: the README's producer table says where counts are estimates.
   */
  estimated: boolean;
  /** False for spans that are not a call of their own (a producer's sums of its call spans; operations without model work). */
  isCall: boolean;
  /** A span of an operation the producer nests: a call unless another of its spans names it as parent. */
  mayWrap: boolean;
  ttftSeconds?: number;
  checks: SpanCheck[];
}

const OWN_COST = [sc.ATTR_COST_USD];
/** Operations billed by tokens: a span of one with a model and no usage is a call of unknown usage. */
const TOKEN_OPERATIONS = new Set<string | undefined>([undefined, sc.OPERATION_CHAT, sc.OPERATION_TEXT_COMPLETION, sc.OPERATION_GENERATE_CONTENT, sc.OPERATION_EMBEDDINGS]);
/** Billed per request (rerank: per query), with no token counts to expect. */
const REQUEST_OPERATIONS = new Set<string | undefined>([sc.OPERATION_RERANK]);
const OPENINFERENCE_OPERATIONS: Record<string, string> = {
  EMBEDDING: sc.OPERATION_EMBEDDINGS,
  RETRIEVER: sc.OPERATION_RETRIEVAL,
  RERANKER: sc.OPERATION_RERANK,
};

const byScope = new Map<string, ProducerEntry>();
for (const e of PRODUCERS) for (const s of e.scopes) byScope.set(s, e);
const TOKENLEDGER = PRODUCERS.find((e) => e.id === 'tokenledger')!;
/** (scope, version) pairs no entry covers, reported once to diag. */
const unverified = new Set<string>();

/** The entry whose conventions a span is read by. */
export function producerOf(a: Attrs): ProducerEntry {
  // Our instrumentation writes these (also onto the upstream aws-sdk span it extends).
  if (a[sc.ATTR_REQUEST_HASH] !== undefined || a[sc.ATTR_COST_SOURCE] !== undefined) return TOKENLEDGER;
  const scope = a[sc.ATTR_OTEL_SCOPE_NAME];
  if (typeof scope !== 'string') return GENAI_SEMCONV;
  if (scope.startsWith('@tokenledger/')) return TOKENLEDGER;
  const e = byScope.get(scope);
  if (!e) return GENAI_SEMCONV;
  if (!e.versions) return e;
  const v = a[e.versions.attribute ?? sc.ATTR_OTEL_SCOPE_VERSION];
  const version = typeof v === 'string' ? v : undefined;
  // Spans of one producer repeat their version: decided once per (scope, version).
  const known = byVersion.get(scope)?.get(version);
  if (known) return known;
  if (versionIn(version, e.versions.from, e.versions.below)) return remember(scope, version, e);
  const key = `${scope}@${version}`;
  if (!unverified.has(key) && unverified.size < 1000) {
    unverified.add(key);
    diag.info(`tokenledger collector: ${e.package} ${version ?? '(no version)'} is outside the versions the producer table was checked against (${e.versions.from} to below ${e.versions.below}): its spans are read by the GenAI semantic conventions`);
  }
  return remember(scope, version, GENAI_SEMCONV);
}

/** scope → version → entry, for the producers whose entry depends on the version (bounded: versions come from traffic). */
const byVersion = new Map<string, Map<string | undefined, ProducerEntry>>();

function remember(scope: string, version: string | undefined, e: ProducerEntry): ProducerEntry {
  let versions = byVersion.get(scope);
  if (!versions) byVersion.set(scope, (versions = new Map()));
  if (versions.size < 100) versions.set(version, e);
  return e;
}

export function readSpan(a: Attrs): SpanReading {
  const e = producerOf(a);
  const checks: SpanCheck[] = [];
  const operation = e.operation?.(a) ?? str(a[sc.ATTR_GEN_AI_OPERATION_NAME]) ?? OPENINFERENCE_OPERATIONS[str(a[sc.FOREIGN_OPENINFERENCE_SPAN_KIND]) ?? ''];
  const facts: SpanFacts = { a, operation, provider: providerName(first(a, e.provider)), model: first(a, e.model) };
  const input = count(a, e.input, checks);
  const output = count(a, e.output, checks);
  const read = count(a, e.cacheRead, checks);
  const write = count(a, e.cacheWrite, checks);
  const cacheRead = read ?? 0;
  const cacheWrite = write ?? 0;
  let total = input;
  if (input !== undefined) {
    if (!e.inputIncludesCache(facts)) total = input + cacheRead + cacheWrite;
    else if (input < cacheRead + cacheWrite) checks.push(sc.CHECK_INPUT_BELOW_CACHE);
  }
  // Zeros everywhere are no report (a call has input): OpenLIT starts a stream's usage at zero.
  const usageKnown = (input ?? 0) + (output ?? 0) + cacheRead + cacheWrite > 0;

  const ownCost = cost(a, OWN_COST, checks);
  const foreignCost = e.cost.length ? cost(a, e.cost, checks) : undefined;
  if (foreignCost !== undefined && foreignCost > 0 && !usageKnown) checks.push(sc.CHECK_COST_WITHOUT_TOKENS);

  const hasCost = ownCost !== undefined || foreignCost !== undefined;
  const modelWork = TOKEN_OPERATIONS.has(operation) || REQUEST_OPERATIONS.has(operation);
  const isCall = !e.aggregate?.(facts) && (usageKnown || hasCost || (facts.model !== undefined && modelWork));
  const ttft = ttftOf(a, e);
  return {
    producer: e.id,
    provider: facts.provider,
    model: facts.model,
    operation,
    input: total,
    output,
    cacheRead,
    cacheWrite,
    usageKnown,
    ownCost,
    foreignCost,
    excludesCache: read === undefined && write === undefined && (e.cacheCountsMissing?.(facts) ?? false),
    estimated: a[sc.ATTR_USAGE_ESTIMATED] === true || (usageKnown && (e.estimated?.(facts) ?? false)),
    isCall,
    mayWrap: e.nestsSameOperation?.includes(operation ?? '') ?? false,
    ttftSeconds: ttft,
    checks,
  };
}

/** Whether a span is one whose model and missing usage make it a call of unknown usage. */
export function billedByTokens(operation: string | undefined): boolean {
  return TOKEN_OPERATIONS.has(operation);
}

/**
 * Provider names as the GenAI conventions spell them: other spellings of the same provider (the AI SDK's
 * `amazon-bedrock`, `openai.chat`) map to the well-known value; anything else is kept.
 */
export function providerName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const p = raw.toLowerCase();
  for (const [prefix, name] of PROVIDER_ALIASES) if (p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}-`)) return name;
  return raw;
}

const PROVIDER_ALIASES: readonly [string, string][] = [
  [sc.PROVIDER_AWS_BEDROCK, sc.PROVIDER_AWS_BEDROCK],
  ['amazon-bedrock', sc.PROVIDER_AWS_BEDROCK],
  ['bedrock', sc.PROVIDER_AWS_BEDROCK],
  [sc.PROVIDER_AWS_SAGEMAKER, sc.PROVIDER_AWS_SAGEMAKER],
  [sc.PROVIDER_OPENAI, sc.PROVIDER_OPENAI],
  [sc.PROVIDER_ANTHROPIC, sc.PROVIDER_ANTHROPIC],
];

function first(a: Attrs, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = str(a[n]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Largest plausible count and cost of one call: far above any real one, far below a sum that could overflow. */
const MAX_COUNT = 1e9;
const MAX_USD = 1e6;

/** The first count present; a negative, non-numeric or implausibly large one is a failed check and is not used. */
export function count(a: Attrs, names: readonly string[], checks: SpanCheck[]): number | undefined {
  return quantity(a, names, checks, MAX_COUNT, sc.CHECK_NON_NUMERIC_COUNT, sc.CHECK_NEGATIVE_COUNT, sc.CHECK_TOO_LARGE_COUNT);
}

/** The first cost present (USD), checked as counts are. */
export function cost(a: Attrs, names: readonly string[], checks: SpanCheck[]): number | undefined {
  return quantity(a, names, checks, MAX_USD, sc.CHECK_NON_NUMERIC_COST, sc.CHECK_NEGATIVE_COST, sc.CHECK_TOO_LARGE_COST);
}

function quantity(a: Attrs, names: readonly string[], checks: SpanCheck[], max: number, nonNumeric: SpanCheck, negative: SpanCheck, tooLarge: SpanCheck): number | undefined {
  for (const n of names) {
    const v = a[n];
    if (v === undefined) continue;
    const x = num(v);
    const failed = x === undefined ? nonNumeric : x < 0 ? negative : x > max ? tooLarge : undefined;
    if (failed === undefined) return x;
    checks.push(failed);
    return undefined;
  }
  return undefined;
}

function ttftOf(a: Attrs, e: ProducerEntry): number | undefined {
  for (const [name, scale] of e.ttft) {
    const x = num(a[name]);
    if (x !== undefined && x >= 0) return x * scale;
  }
  return undefined;
}
