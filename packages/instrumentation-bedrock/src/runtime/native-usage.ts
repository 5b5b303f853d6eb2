// Token usage in the native InvokeModel bodies of each model family, and in their stream chunks.
// Input counts are normalised to include cache tokens (the GenAI convention).
import type { Usage } from '@tokenledger/pricing';

/** Families whose bodies carry no token counts: their usage is estimated and marked so. */
export function reportsNoUsage(modelId: string): boolean {
  return /cohere\.|mistral\./.test(modelId);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Usage from a complete InvokeModel response body, when the family reports it. */
export function bodyUsage(modelId: string, b: any): Usage | undefined {
  if (!b || typeof b !== 'object') return undefined;
  if (/anthropic\./.test(modelId)) return anthropicUsage(b.usage);
  if (/amazon\.nova/.test(modelId)) return novaUsage(b.usage);
  if (/amazon\.titan-embed/.test(modelId)) {
    const input = num(b.inputTextTokenCount);
    return input === undefined ? undefined : { inputTokens: input, outputTokens: 0 };
  }
  if (/amazon\.titan/.test(modelId)) {
    const input = num(b.inputTextTokenCount);
    const output = num(b.results?.[0]?.tokenCount);
    return input === undefined && output === undefined ? undefined : { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  }
  if (/meta\.llama/.test(modelId)) {
    const input = num(b.prompt_token_count);
    const output = num(b.generation_token_count);
    return input === undefined && output === undefined ? undefined : { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  }
  return undefined;
}

/** The response text of a native body, for estimation when the family reports no usage. */
export function bodyText(b: any): string {
  if (!b || typeof b !== 'object') return '';
  return String(b.text ?? b.outputs?.[0]?.text ?? b.generations?.[0]?.text ?? b.generation ?? b.completion ?? '');
}

export function finishReason(modelId: string, b: any): string | undefined {
  if (!b || typeof b !== 'object') return undefined;
  const r = /anthropic\./.test(modelId) ? b.stop_reason ?? b.delta?.stop_reason
    : /amazon\.nova/.test(modelId) ? b.stopReason ?? b.messageStop?.stopReason
    : /amazon\.titan/.test(modelId) ? b.results?.[0]?.completionReason ?? b.completionReason
    : b.stop_reason ?? b.finish_reason ?? b.outputs?.[0]?.stop_reason ?? b.generations?.[0]?.finish_reason;
  return typeof r === 'string' ? r : undefined;
}

/** Anthropic Messages usage: `input_tokens` excludes the cache tokens. */
export function anthropicUsage(u: any): Usage | undefined {
  if (!u || num(u.input_tokens) === undefined) return undefined;
  const read = num(u.cache_read_input_tokens) ?? 0;
  const write = num(u.cache_creation_input_tokens) ?? 0;
  return withOneHour({ inputTokens: u.input_tokens + read + write, outputTokens: num(u.output_tokens) ?? 0, cacheReadInputTokens: read, cacheCreationInputTokens: write },
    num(u.cache_creation?.ephemeral_1h_input_tokens));
}

/** Nova (and Converse TokenUsage) usage: `inputTokens` excludes the cache tokens. */
export function novaUsage(u: any): Usage | undefined {
  if (!u || num(u.inputTokens) === undefined) return undefined;
  const read = num(u.cacheReadInputTokens) ?? num(u.cacheReadInputTokenCount) ?? 0;
  const write = num(u.cacheWriteInputTokens) ?? num(u.cacheWriteInputTokenCount) ?? 0;
  // cacheDetails lists the writes by TTL (`5m`, `1h`).
  const oneHour = Array.isArray(u.cacheDetails)
    ? u.cacheDetails.reduce((n: number, d: any) => n + (d?.ttl === '1h' ? num(d.inputTokens) ?? 0 : 0), 0)
    : undefined;
  return withOneHour({ inputTokens: u.inputTokens + read + write, outputTokens: num(u.outputTokens) ?? 0, cacheReadInputTokens: read, cacheCreationInputTokens: write }, oneHour);
}

/** The usage with its 1-hour cache writes (a part of cacheCreationInputTokens), when there are any. */
function withOneHour(usage: Usage, oneHour: number | undefined): Usage {
  if (oneHour !== undefined && oneHour > 0) usage.cacheCreation1hInputTokens = oneHour;
  return usage;
}

/** Accumulates usage over InvokeModelWithResponseStream chunks; the last chunk's invocation metrics win. */
export class ChunkUsage {
  private input?: number;
  private output?: number;
  private cacheRead = 0;
  private cacheWrite = 0;
  private cacheWrite1h = 0;
  text = '';
  finishReason?: string;
  latencyMs?: number;
  /** True once `amazon-bedrock-invocationMetrics` arrived: the stream's usage is final. */
  final = false;

  private readonly modelId: string;

  constructor(modelId: string) {
    this.modelId = modelId;
  }

  add(c: any): void {
    if (!c || typeof c !== 'object') return;
    const m = this.modelId;
    if (/anthropic\./.test(m)) {
      const u = c.message?.usage;
      if (u) {
        this.input = num(u.input_tokens) ?? this.input;
        this.cacheRead = num(u.cache_read_input_tokens) ?? this.cacheRead;
        this.cacheWrite = num(u.cache_creation_input_tokens) ?? this.cacheWrite;
        this.cacheWrite1h = num(u.cache_creation?.ephemeral_1h_input_tokens) ?? this.cacheWrite1h;
        this.output = num(u.output_tokens) ?? this.output;
      }
      // The running output count is in message_delta.
      if (c.type === 'message_delta') this.output = num(c.usage?.output_tokens) ?? this.output;
      if (typeof c.delta?.text === 'string') this.text += c.delta.text;
    } else if (/amazon\.nova/.test(m)) {
      const u = c.metadata?.usage;
      if (u) {
        this.input = num(u.inputTokens) ?? this.input;
        this.output = num(u.outputTokens) ?? this.output;
        this.cacheRead = num(u.cacheReadInputTokenCount) ?? this.cacheRead;
        this.cacheWrite = num(u.cacheWriteInputTokenCount) ?? this.cacheWrite;
      }
      if (typeof c.contentBlockDelta?.delta?.text === 'string') this.text += c.contentBlockDelta.delta.text;
    } else if (/amazon\.titan/.test(m)) {
      this.input = num(c.inputTextTokenCount) ?? this.input;
      this.output = num(c.totalOutputTextTokenCount) ?? this.output;
      if (typeof c.outputText === 'string') this.text += c.outputText;
    } else if (/meta\.llama/.test(m)) {
      this.input = num(c.prompt_token_count) ?? this.input;
      this.output = num(c.generation_token_count) ?? this.output;
      if (typeof c.generation === 'string') this.text += c.generation;
    } else {
      this.text += bodyText(c);
    }
    this.finishReason = finishReason(m, c) ?? this.finishReason;
    const im = c['amazon-bedrock-invocationMetrics'];
    if (im) {
      this.input = num(im.inputTokenCount) ?? this.input;
      this.output = num(im.outputTokenCount) ?? this.output;
      this.cacheRead = num(im.cacheReadInputTokenCount) ?? this.cacheRead;
      this.cacheWrite = num(im.cacheWriteInputTokenCount) ?? this.cacheWrite;
      this.latencyMs = num(im.invocationLatency);
      this.final = true;
    }
  }

  usage(): Usage | undefined {
    if (this.input === undefined && this.output === undefined) return undefined;
    return withOneHour({
      inputTokens: (this.input ?? 0) + this.cacheRead + this.cacheWrite,
      outputTokens: this.output ?? 0,
      cacheReadInputTokens: this.cacheRead,
      cacheCreationInputTokens: this.cacheWrite,
    }, this.cacheWrite1h);
  }
}
