// Bedrock batch inference output: one JSON record per line, `{recordId, modelInput, modelOutput}` (or
// `error`), where modelOutput is the model's native InvokeModel body or a Converse response. Usage is read
// from the body; input tokens are normalised to include cache tokens (Bedrock reports them apart).
import { estimateTokens, type Usage } from '@tokenledger/pricing';

export interface BatchRecord {
  recordId?: string;
  usage?: Usage;
  estimated: boolean;
  error?: string;
}

export function readBatchRecord(line: string): BatchRecord | undefined {
  if (line.trim() === '') return undefined;
  const r = JSON.parse(line);
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('a record is a JSON object');
  const recordId = typeof r.recordId === 'string' ? r.recordId : undefined;
  if (r.error) return { recordId, estimated: false, error: typeof r.error === 'string' ? r.error : String(r.error.errorMessage ?? r.error.message ?? 'error') };
  const reported = reportedUsage(r.modelOutput);
  if (reported) return { recordId, usage: reported, estimated: false };
  // No usage in the body (e.g. Mistral, Cohere): count the text.
  return { recordId, usage: { inputTokens: estimateTokens(textOf(r.modelInput)), outputTokens: estimateTokens(textOf(r.modelOutput)) }, estimated: true };
}

function reportedUsage(out: any): Usage | undefined {
  if (!out || typeof out !== 'object') return undefined;
  const u = out.usage;
  if (u && typeof u.inputTokens === 'number') {
    // Converse and Nova: inputTokens excludes the cache tokens.
    const read = n(u.cacheReadInputTokens ?? u.cacheReadInputTokenCount);
    const write = n(u.cacheWriteInputTokens ?? u.cacheWriteInputTokenCount);
    return { inputTokens: u.inputTokens + read + write, outputTokens: n(u.outputTokens), cacheReadInputTokens: read, cacheCreationInputTokens: write };
  }
  if (u && typeof u.input_tokens === 'number') {
    // Anthropic Messages: input_tokens excludes cache creation and reads.
    const read = n(u.cache_read_input_tokens);
    const write = n(u.cache_creation_input_tokens);
    return { inputTokens: u.input_tokens + read + write, outputTokens: n(u.output_tokens), cacheReadInputTokens: read, cacheCreationInputTokens: write };
  }
  if (typeof out.prompt_token_count === 'number') return { inputTokens: out.prompt_token_count, outputTokens: n(out.generation_token_count) };
  if (typeof out.inputTextTokenCount === 'number') {
    return { inputTokens: out.inputTextTokenCount, outputTokens: n(out.results?.[0]?.tokenCount) };
  }
  return undefined;
}

/** All string leaves of a body: prompt or generated text whatever the model family. */
function textOf(body: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(body);
  return parts.join('\n');
}

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
