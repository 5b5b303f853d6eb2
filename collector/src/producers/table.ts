// Who wrote a span, and how its numbers are to be read. Every entry was taken from the source of the named
// package at the checked version (its file is named); a (scope, version) no entry knows is read by the
// GenAI semantic conventions (GENAI_SEMCONV). The README's producer table says, per producer and operation,
// what comes out exact and what approximate, and which test shows it.
import * as sc from '@tokenledger/semconv';
import type { AttributeValue } from '../model/span-record.ts';

export type Attrs = Record<string, AttributeValue>;

/** What an entry's rules see of a span. */
export interface SpanFacts {
  a: Attrs;
  provider?: string;
  operation?: string;
  model?: string;
}

export interface ProducerEntry {
  /** Label value (`producer`) and name in the README. */
  id: string;
  /** The npm package, and the version whose source this entry was read from. */
  package: string;
  checked: string;
  /** OTLP instrumentation scope names. */
  scopes: readonly string[];
  /**
   * Versions the entry applies to, [from, below), read from the scope version or, when the scope's version
   * says nothing (OpenLIT: always 1.0.0), from a span attribute. Outside it the span is read by GENAI_SEMCONV.
   */
  versions?: { from: string; below: string; attribute?: string };
  /** Attribute names, first present wins. */
  provider: readonly string[];
  model: readonly string[];
  input: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  /** Another producer's cost attributes: a price only when positive (see call-cost.ts). */
  cost: readonly string[];
  /** Seconds to the first streamed chunk: attribute and the factor to seconds. */
  ttft: readonly (readonly [string, number])[];
  /** Whether the input count includes cache reads and writes (the GenAI convention); else they are added. */
  inputIncludesCache(f: SpanFacts): boolean;
  /**
   * The call may have read or written a cache the span cannot tell of (the producer drops the counts): its
   * cost is priced without cache effects, and marked so. Only when no cache attribute is present at all.
   */
  cacheCountsMissing?(f: SpanFacts): boolean;
  /** Counts that came from a tokenizer or a character estimate although the span does not say so. */
  estimated?(f: SpanFacts): boolean;
  /** Sums of the producer's own call spans below it: not a call (counted once, under the calls). */
  aggregate?(f: SpanFacts): boolean;
  /** Operations whose spans wrap a span of the same operation by this producer: the wrapper is not a call. */
  nestsSameOperation?: readonly string[];
  /** The span's operation when the producer does not write gen_ai.operation.name. */
  operation?(a: Attrs): string | undefined;
}

// --- The GenAI semantic conventions, with the older and the OpenInference names ---
const PROVIDER = [sc.ATTR_GEN_AI_PROVIDER_NAME, sc.FOREIGN_GEN_AI_SYSTEM, sc.FOREIGN_LLM_PROVIDER, sc.FOREIGN_LLM_SYSTEM];
const MODEL = [sc.ATTR_GEN_AI_RESPONSE_MODEL, sc.ATTR_GEN_AI_REQUEST_MODEL, sc.FOREIGN_LLM_MODEL_NAME];
const INPUT = [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, sc.FOREIGN_GEN_AI_USAGE_PROMPT_TOKENS, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT];
const OUTPUT = [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, sc.FOREIGN_GEN_AI_USAGE_COMPLETION_TOKENS, sc.FOREIGN_LLM_TOKEN_COUNT_COMPLETION];
const CACHE_READ = [sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, sc.FOREIGN_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_READ];
const CACHE_WRITE = [sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.FOREIGN_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE];
const FOREIGN_COST = [sc.FOREIGN_GEN_AI_USAGE_COST, sc.FOREIGN_LLM_COST_TOTAL];
const TTFT: readonly (readonly [string, number])[] = [[sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, 1]];
const always = () => true;
const never = () => false;

/** Unknown producers: input includes cache reads and writes, cache counts under their own names. */
export const GENAI_SEMCONV: ProducerEntry = {
  id: sc.PRODUCER_GENAI_SEMCONV, package: '(any)', checked: 'GenAI semantic conventions v1.41', scopes: [],
  provider: PROVIDER, model: MODEL, input: INPUT, output: OUTPUT, cacheRead: CACHE_READ, cacheWrite: CACHE_WRITE,
  cost: FOREIGN_COST, ttft: TTFT, inputIncludesCache: always,
};

/** Bedrock models that can read and write a prompt cache (Anthropic Claude, Amazon Nova); the id with or without its vendor. */
const BEDROCK_CACHING_MODEL = /(?:^|[./])(?:anthropic\.)?claude|(?:^|[./])(?:amazon\.)?nova-/i;
const isEmbeddingModel = (model: string | undefined) => /embed/i.test(model ?? '');

/** OpenAI chat and responses calls may read the prompt cache (automatic on current models); embeddings never. */
const openAiCaches = (f: SpanFacts) => f.operation !== sc.OPERATION_EMBEDDINGS && !isEmbeddingModel(f.model);

/** An entry: the GenAI conventions, but for what the producer does otherwise. */
function entry(e: Partial<ProducerEntry> & Pick<ProducerEntry, 'id' | 'package' | 'checked' | 'scopes'>): ProducerEntry {
  return { ...GENAI_SEMCONV, ...e };
}

export const PRODUCERS: readonly ProducerEntry[] = [
  entry({
    // Ours (packages/instrumentation-*). Our Bedrock instrumentation writes onto the upstream aws-sdk span, so
    // a span with our request hash or cost source is ours whatever its scope (producer.ts checks that first).
    id: 'tokenledger', package: '@tokenledger/instrumentation-*', checked: 'this repository', scopes: [],
    cost: [],
  }),
  entry({
    // dist/services/bedrock-runtime.cjs: `gen_ai.system=aws.bedrock`; Converse(Stream) `usage.inputTokens`,
    // Anthropic `usage.input_tokens`, Nova `usage.inputTokens` and stream `metadata.usage` / `message.usage`:
    // all EXCLUDE cache tokens, and no cache count is written. Claude InvokeModelWithResponseStream takes its
    // output count from `message_start` only (`message_delta`'s final count is not read); Cohere and Mistral
    // InvokeModel counts are ceil(chars/6).
    id: 'otel-aws-sdk', package: '@opentelemetry/instrumentation-aws-sdk', checked: '0.79.0',
    scopes: ['@opentelemetry/instrumentation-aws-sdk'], versions: { from: '0.79.0', below: '0.80.0' },
    cost: [],
    inputIncludesCache: never,
    cacheCountsMissing: (f) => BEDROCK_CACHING_MODEL.test(f.model ?? ''),
    estimated: (f) => {
      const method = f.a[sc.FOREIGN_RPC_METHOD];
      if (method !== 'InvokeModel' && method !== 'InvokeModelWithResponseStream') return false;
      return /cohere\.command|mistral/i.test(f.model ?? '') || (method === 'InvokeModelWithResponseStream' && /anthropic\.claude/i.test(f.model ?? ''));
    },
  }),
  entry({
    // dist/instrumentation.cjs: chat `gen_ai.system=openai`, responses `gen_ai.provider.name=openai`;
    // `usage.prompt_tokens` / `input_tokens` INCLUDE cached tokens and `cached_tokens` is not written;
    // a stream has usage only when the app asked for `stream_options.include_usage`.
    id: 'otel-openai', package: '@opentelemetry/instrumentation-openai', checked: '0.22.0',
    scopes: ['@opentelemetry/instrumentation-openai'], versions: { from: '0.22.0', below: '0.23.0' },
    cost: [],
    cacheCountsMissing: openAiCaches,
  }),
  entry({
    // dist/index.js: gen_ai.provider.name from the client's base URL (`openai` for any other host);
    // chat and responses usage INCLUDE cached tokens, which are not written; chat streams and responses
    // streams carry no usage (with `enrichTokens`, chat streams carry a js-tiktoken count of the message
    // texts, unmarked).
    id: 'openllmetry-openai', package: '@traceloop/instrumentation-openai', checked: '0.27.0',
    scopes: ['@traceloop/instrumentation-openai'], versions: { from: '0.27.0', below: '0.28.0' },
    cost: [],
    cacheCountsMissing: openAiCaches,
  }),
  entry({
    // dist/index.js: wraps BedrockRuntimeClient.send but reads usage only from InvokeModel bodies and
    // stream chunks (`amazon-bedrock-invocationMetrics`); Converse spans carry the model and no usage.
    // gen_ai.request.model is the id WITHOUT its vendor (`claude-haiku-4-5-20251001-v1:0`; profile
    // prefixes us/us-gov/eu/apac stripped too). Anthropic `input_tokens` and the invocation metrics'
    // `inputTokenCount` EXCLUDE cache tokens; no cache count is written.
    id: 'openllmetry-bedrock', package: '@traceloop/instrumentation-bedrock', checked: '0.27.0',
    scopes: ['@traceloop/instrumentation-bedrock'], versions: { from: '0.27.0', below: '0.28.0' },
    cost: [],
    inputIncludesCache: never,
    cacheCountsMissing: (f) => BEDROCK_CACHING_MODEL.test(f.model ?? ''),
  }),
  entry({
    // dist/instrumentation/openai/wrapper.js: `gen_ai.provider.name=openai`; `prompt_tokens` INCLUDE cached
    // tokens, gen_ai.usage.cache_read.input_tokens (`cached_tokens`) and `…cache_creation…`
    // (`cache_creation_tokens`/`cache_write_tokens`) only when > 0; gen_ai.usage.cost from its own price
    // list (helpers.js getChatModelCost): 0 for a model it has no price for, and for every model when the
    // list (fetched from GitHub unless `pricingJson` is given) fails to load. A stream without
    // `include_usage` is counted with js-tiktoken (message texts only), unmarked.
    id: 'openlit', package: 'openlit', checked: '1.15.0',
    // Its vLLM instrumentation re-wraps openai's chat completions after the OpenAI one, so OpenAI chat spans
    // carry the vLLM scope (instrumentation/vllm/index.js: the OpenAI handler is built with its tracer).
    scopes: ['@openlit/instrumentation-openai', '@openlit/instrumentation-vllm'], versions: { from: '1.15.0', below: '1.16.0', attribute: sc.FOREIGN_GEN_AI_SDK_VERSION },
    ttft: [[sc.FOREIGN_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 1], ...TTFT],
    estimated: (f) => f.a[sc.FOREIGN_GEN_AI_REQUEST_IS_STREAM] === true,
  }),
  entry({
    // dist/instrumentation/bedrock/wrapper.js: Converse and ConverseStream only (InvokeModel passes through
    // without a span); gen_ai.usage.input_tokens is Converse `inputTokens`, EXCLUDING cache tokens, with
    // `…cache_read.input_tokens` / `…cache_creation.input_tokens` beside it (when > 0); cost as for OpenAI.
    id: 'openlit-bedrock', package: 'openlit', checked: '1.15.0',
    scopes: ['@openlit/instrumentation-bedrock'], versions: { from: '1.15.0', below: '1.16.0', attribute: sc.FOREIGN_GEN_AI_SDK_VERSION },
    ttft: [[sc.FOREIGN_GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 1], ...TTFT],
    inputIncludesCache: never,
  }),
  entry({
    // @ai-sdk/otel dist/index.js, `OpenTelemetry` (tracer `gen_ai`, no version): `invoke_agent` root spans
    // carry the sum of their `chat` spans' usage; `embeddings` and `rerank` roots wrap one inner span per
    // provider request (usage on the inner one). Input INCLUDES cache reads and writes (the providers'
    // usage converters: Bedrock total = inputTokens + cacheRead + cacheWrite); cache counts under the
    // GenAI names; provider names mapped to the well-known values.
    id: 'ai-sdk', package: '@ai-sdk/otel (ai)', checked: '1.0.173 (ai 7.0.173)',
    scopes: ['gen_ai'],
    cost: [],
    ttft: [[sc.FOREIGN_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, 1], ...TTFT],
    aggregate: (f) => f.operation === sc.OPERATION_INVOKE_AGENT,
    nestsSameOperation: [sc.OPERATION_EMBEDDINGS, sc.OPERATION_RERANK],
  }),
  entry({
    // @ai-sdk/otel dist/index.js, `LegacyOpenTelemetry` (tracer `ai`): the provider call spans
    // (`ai.generateText.doGenerate`, `ai.streamText.doStream`) carry gen_ai.system = the AI SDK provider
    // string (`openai.responses`, `amazon-bedrock`, …) and gen_ai.usage.input_tokens INCLUDING cache, whose
    // counts are `ai.usage.inputTokenDetails.cacheReadTokens` / `…cacheWriteTokens`. Embedding calls
    // (`ai.embed(Many).doEmbed`) carry only `ai.model.*` and `ai.usage.tokens`. The operation spans
    // (`ai.generateText`, `ai.embed`, …) repeat the sums under `ai.usage.*` only.
    id: 'ai-sdk-legacy', package: '@ai-sdk/otel (ai)', checked: '1.0.173 (ai 7.0.173)',
    scopes: ['ai'],
    cost: [],
    provider: [sc.FOREIGN_GEN_AI_SYSTEM, sc.FOREIGN_AI_MODEL_PROVIDER],
    model: [sc.ATTR_GEN_AI_RESPONSE_MODEL, sc.ATTR_GEN_AI_REQUEST_MODEL, sc.FOREIGN_AI_MODEL_ID],
    input: [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, sc.FOREIGN_AI_USAGE_TOKENS],
    cacheRead: [sc.FOREIGN_AI_USAGE_CACHE_READ_TOKENS],
    cacheWrite: [sc.FOREIGN_AI_USAGE_CACHE_WRITE_TOKENS],
    ttft: [[sc.FOREIGN_AI_RESPONSE_MS_TO_FIRST_CHUNK, 0.001]],
    operation: (a) => {
      const id = a[sc.FOREIGN_AI_OPERATION_ID];
      if (typeof id !== 'string') return undefined;
      if (id.endsWith('.doEmbed')) return sc.OPERATION_EMBEDDINGS;
      if (id.endsWith('.doGenerate') || id.endsWith('.doStream')) return sc.OPERATION_CHAT;
      return id; // the operation spans: not a model operation
    },
    aggregate: (f) => f.operation !== sc.OPERATION_CHAT && f.operation !== sc.OPERATION_EMBEDDINGS,
  }),
];

/** Span attributes outside the kept namespaces that some entry reads (the receiver keeps them). */
export const PRODUCER_ATTRIBUTE_KEYS: readonly string[] = [
  sc.FOREIGN_RPC_METHOD, sc.FOREIGN_AI_OPERATION_ID, sc.FOREIGN_AI_MODEL_ID, sc.FOREIGN_AI_MODEL_PROVIDER, sc.FOREIGN_AI_USAGE_TOKENS,
  sc.FOREIGN_AI_USAGE_CACHE_READ_TOKENS, sc.FOREIGN_AI_USAGE_CACHE_WRITE_TOKENS, sc.FOREIGN_AI_RESPONSE_MS_TO_FIRST_CHUNK,
];
