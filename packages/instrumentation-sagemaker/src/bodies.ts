// What LLM containers put in SageMaker bodies: the prompt of a request, and the usage of a response —
// OpenAI-shaped `usage` (vLLM, LMI/TGI messages APIs), TGI/LMI `details.generated_tokens` (+ `prefill`),
// else nothing (the caller estimates from the text).
import type { Usage } from '@tokenledger/pricing';
import { OPERATION_CHAT, OPERATION_TEXT_COMPLETION } from '@tokenledger/semconv';

export interface SageMakerRequest {
  operation: string;
  /** The prompt text, to estimate input tokens when the container reports none. */
  promptText: string;
  model?: string;
}

export interface BodyUsage {
  /** Provider-reported counts; either may be missing. */
  inputTokens?: number;
  outputTokens?: number;
  /** Generated text, to estimate what is missing. */
  text: string;
  finishReason?: string;
}

const decoder = new TextDecoder();

export function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  return '';
}

export function parseRequest(body: unknown): SageMakerRequest {
  const json = tryJson(bodyText(body));
  if (json && Array.isArray(json.messages)) {
    const promptText = json.messages.map((m: any) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))).join('\n');
    return { operation: OPERATION_CHAT, promptText, model: typeof json.model === 'string' ? json.model : undefined };
  }
  const input = json?.inputs ?? json?.prompt ?? json?.text_inputs;
  const promptText = typeof input === 'string' ? input : Array.isArray(input) ? input.join('\n') : json ? '' : bodyText(body);
  return { operation: OPERATION_TEXT_COMPLETION, promptText };
}

/** Usage and text of one JSON document a container returned (a whole body, or one streamed event). */
export function readDocument(doc: any, into: BodyUsage): void {
  const d = Array.isArray(doc) ? doc[0] : doc;
  if (!d || typeof d !== 'object') return;
  if (d.usage && typeof d.usage.prompt_tokens === 'number') {
    into.inputTokens = d.usage.prompt_tokens;
    into.outputTokens = d.usage.completion_tokens ?? into.outputTokens;
  }
  const details = d.details;
  if (details && typeof details === 'object') {
    if (typeof details.generated_tokens === 'number') into.outputTokens = details.generated_tokens;
    if (Array.isArray(details.prefill) && details.prefill.length > 0) into.inputTokens = details.prefill.length;
    if (typeof details.finish_reason === 'string') into.finishReason = details.finish_reason;
  }
  if (Array.isArray(d.choices)) {
    for (const c of d.choices) {
      const piece = c?.message?.content ?? c?.delta?.content ?? c?.text;
      if (typeof piece === 'string') into.text += piece;
      if (typeof c?.finish_reason === 'string') into.finishReason = c.finish_reason;
    }
  } else if (typeof d.generated_text === 'string') {
    into.text = d.generated_text; // TGI/LMI repeat the whole text in the last event
  } else if (d.token && typeof d.token.text === 'string' && !d.token.special) {
    into.text += d.token.text;
  } else if (Array.isArray(d.outputs)) {
    into.text += d.outputs.filter((o: unknown) => typeof o === 'string').join('');
  }
}

export function readResponseBody(body: unknown): BodyUsage {
  const usage: BodyUsage = { text: '' };
  const text = bodyText(body);
  const json = tryJson(text);
  if (json !== undefined) readDocument(json, usage);
  else usage.text = text;
  return usage;
}

/**
 * Streamed bytes arrive in PayloadParts cut anywhere: lines are reassembled across parts, then each
 * line (`data:` server-sent event or JSON line) is read as one document.
 */
export class StreamBodyReader {
  readonly usage: BodyUsage = { text: '' };
  private pending = '';
  private readonly streamDecoder = new TextDecoder();

  add(bytes: Uint8Array): void {
    this.pending += this.streamDecoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
  }

  done(): BodyUsage {
    this.line(this.pending + this.streamDecoder.decode());
    this.pending = '';
    return this.usage;
  }

  private line(raw: string): void {
    const line = raw.trim().replace(/^data:\s*/, '');
    if (line === '' || line === '[DONE]') return;
    const json = tryJson(line);
    if (json !== undefined) readDocument(json, this.usage);
  }
}

/** Provider counts where reported, the tokenizer's elsewhere; `estimated` when any part was counted here. */
export function finalUsage(reported: BodyUsage, promptText: string, estimate: (text: string) => number): { usage: Usage; estimated: boolean } {
  const estimated = reported.inputTokens === undefined || reported.outputTokens === undefined;
  return {
    usage: {
      inputTokens: reported.inputTokens ?? estimate(promptText),
      outputTokens: reported.outputTokens ?? estimate(reported.text),
    },
    estimated,
  };
}

function tryJson(text: string): any {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
