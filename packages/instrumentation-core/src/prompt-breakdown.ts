// Where the input tokens come from (system, history, context, user, tools), for Converse, Anthropic
// Messages and OpenAI chat and responses requests. No tokenizer on the hot path: characters are counted per
// part when the request is sent, and the provider-reported input tokens are apportioned by character share.
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_PROMPT_TOKENS_CONTEXT,
  ATTR_PROMPT_TOKENS_HISTORY,
  ATTR_PROMPT_TOKENS_SYSTEM,
  ATTR_PROMPT_TOKENS_TOOLS,
  ATTR_PROMPT_TOKENS_USER,
} from '@tokenledger/semconv';

export interface PromptChars {
  system: number;
  history: number;
  context: number;
  user: number;
  tools: number;
}

const KEYS: [keyof PromptChars, string][] = [
  ['system', ATTR_PROMPT_TOKENS_SYSTEM],
  ['history', ATTR_PROMPT_TOKENS_HISTORY],
  ['context', ATTR_PROMPT_TOKENS_CONTEXT],
  ['user', ATTR_PROMPT_TOKENS_USER],
  ['tools', ATTR_PROMPT_TOKENS_TOOLS],
];

/**
 * Rules: system blocks → system; tool definitions → tools; every message before the last user message →
 * history; in the last user message, documents, tool results and every text block but the last → context,
 * the last text block → user; tool results after it (OpenAI's `tool` messages) → context, the assistant's
 * turns after it → history.
 */
export function promptChars(system: unknown, messages: unknown, tools: unknown): PromptChars {
  const out: PromptChars = { system: chars(system), history: 0, context: 0, user: 0, tools: tools === undefined ? 0 : JSON.stringify(tools).length };
  const list = Array.isArray(messages) ? messages : [];
  let last = list.length - 1;
  while (last >= 0 && (list[last] as { role?: string })?.role !== 'user') last--;
  for (let i = 0; i < list.length; i++) {
    const content = (list[i] as { content?: unknown })?.content;
    if (i !== last) {
      const role = (list[i] as { role?: string })?.role;
      if (i > last && (role === 'tool' || role === 'function')) out.context += chars(content);
      else out.history += chars(content);
      continue;
    }
    const blocks = typeof content === 'string' ? [{ text: content }] : Array.isArray(content) ? content : [];
    let lastText = -1;
    blocks.forEach((b, j) => {
      if (typeof (b as { text?: unknown })?.text === 'string') lastText = j;
    });
    blocks.forEach((b, j) => {
      if (j === lastText) out.user += chars(b);
      else out.context += chars(b);
    });
  }
  return out;
}

/** The breakdown attributes for `inputTokens` (cache included), apportioned by character share. */
export function promptTokenAttributes(p: PromptChars, inputTokens: number): Attributes {
  const total = p.system + p.history + p.context + p.user + p.tools;
  const attrs: Attributes = {};
  if (total === 0 || !(inputTokens > 0)) return attrs;
  let given = 0;
  let largest: keyof PromptChars = 'user';
  for (const [k] of KEYS) if (p[k] > p[largest]) largest = k;
  for (const [k, name] of KEYS) {
    if (p[k] === 0) continue;
    const n = Math.floor((inputTokens * p[k]) / total);
    attrs[name] = n;
    given += n;
  }
  // Rounding remainder to the largest part, so the parts add up to the input tokens.
  const name = KEYS.find(([k]) => k === largest)![1];
  attrs[name] = ((attrs[name] as number | undefined) ?? 0) + (inputTokens - given);
  return attrs;
}

/** Characters of text in a content value: strings, `{text}` blocks, nested content and JSON of the rest. */
function chars(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += chars(x);
    return n;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text.length;
    if (o.cachePoint || o.cache_control) return 0;
    if (o.content !== undefined) return chars(o.content);
    if (o.toolResult) return chars((o.toolResult as { content?: unknown }).content);
    // Binary parts (Converse, Anthropic, OpenAI chat and responses): a fixed weight, not their bytes.
    if (o.document || o.image || o.source || o.image_url || o.input_audio || o.file || o.type === 'input_image' || o.type === 'input_file') return 1024;
    return JSON.stringify(o).length;
  }
  return 0;
}
