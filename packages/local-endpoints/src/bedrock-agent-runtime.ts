// A local endpoint in the Bedrock Agent Runtime wire format (rest-json over cleartext HTTP/2, which the client
// speaks by default): Retrieve, RetrieveAndGenerate, RetrieveAndGenerateStream (an AWS event stream of output
// and citation events) and Rerank over a small in-memory knowledge base; InvokeAgent and InvokeInlineAgent (a
// completion stream of chunk events, with trace events reporting each model call's usage when asked for).
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { eventMessage, exceptionMessage } from './event-stream.ts';
import { listenHttp2 } from './http2-server.ts';

export interface KnowledgeBaseDocument {
  text: string;
  uri: string;
}

export interface BedrockAgentRuntimeOptions {
  /** Knowledge-base id → its documents; results are ranked by words shared with the query. */
  knowledgeBases: Record<string, KnowledgeBaseDocument[]>;
  /** The answer RetrieveAndGenerate and InvokeAgent return. */
  answer?: string;
  /** Agent id → the foundation model its steps call. */
  agents?: Record<string, string>;
  /** The model calls an agent makes per request (default: pre-processing, then one orchestration step). */
  agentSteps?: AgentStep[];
  /** Whether trace events name the foundation model (default true; the traces of older agents do not). */
  agentTraceNamesModel?: boolean;
}

export interface AgentStep {
  /** The trace member reporting it, e.g. `preProcessingTrace`, `orchestrationTrace`, `postProcessingTrace`. */
  trace: string;
  inputTokens: number;
  outputTokens: number;
}

const DEFAULT_AGENT_STEPS: AgentStep[] = [
  { trace: 'preProcessingTrace', inputTokens: 310, outputTokens: 25 },
  { trace: 'orchestrationTrace', inputTokens: 1450, outputTokens: 62 },
];

export interface BedrockAgentRuntimeEndpoint {
  url: string;
  requests: { path: string; body: any }[];
  /** The next request fails with this AWS error (e.g. 429 ThrottlingException). */
  failNext(status: number, errorType: string, message: string): void;
  /** The next stream (RetrieveAndGenerateStream, InvokeAgent) sends one event, then a throttlingException event. */
  breakNextStream(message: string): void;
  close(): Promise<void>;
}

export async function startBedrockAgentRuntimeEndpoint(opts: BedrockAgentRuntimeOptions): Promise<BedrockAgentRuntimeEndpoint> {
  const requests: { path: string; body: any }[] = [];
  const failures: { status: number; errorType: string; message: string }[] = [];
  const broken: string[] = [];
  const { server, url, close } = await listenHttp2();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const path = String(headers[':path']).split('?')[0]!;
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      requests.push({ path, body });
      const failure = failures.shift();
      if (failure) return send(stream, failure.status, { message: failure.message }, { 'x-amzn-errortype': failure.errorType });
      const kb = /^\/knowledgebases\/([^/]+)\/retrieve$/.exec(path);
      if (kb) return retrieve(stream, opts, decodeURIComponent(kb[1]!), body);
      if (path === '/retrieveAndGenerate') return retrieveAndGenerate(stream, opts, body);
      if (path === '/retrieveAndGenerateStream') return void retrieveAndGenerateStream(stream, opts, body, broken.shift());
      if (path === '/rerank') return rerank(stream, body);
      const agent = /^\/agents\/([^/]+)\/agentAliases\/[^/]+\/sessions\/([^/]+)\/text$/.exec(path);
      if (agent) {
        const model = opts.agents?.[decodeURIComponent(agent[1]!)];
        if (!model) return send(stream, 404, { message: `agent ${agent[1]} not found` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        return void invokeAgent(stream, opts, model, decodeURIComponent(agent[2]!), body, broken.shift(), decodeURIComponent(agent[1]!));
      }
      const inline = /^\/agents\/([^/]+)$/.exec(path); // InvokeInlineAgent: the model is in the request
      if (inline) return void invokeAgent(stream, opts, String(body.foundationModel), decodeURIComponent(inline[1]!), body, broken.shift());
      send(stream, 404, { message: `no route ${path}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    });
  });
  return {
    url,
    requests,
    failNext: (status, errorType, message) => void failures.push({ status, errorType, message }),
    breakNextStream: (message) => void broken.push(message),
    close,
  };
}

function send(stream: ServerHttp2Stream, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-requestid': 'req-kb', ...headers });
  stream.end(JSON.stringify(body));
}

const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);

function ranked(docs: KnowledgeBaseDocument[], query: string, n: number) {
  const q = words(query);
  return docs
    .map((d) => ({ d, score: [...words(d.text)].filter((w) => q.has(w)).length / Math.max(1, q.size) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, n);
}

function retrievalResult(d: KnowledgeBaseDocument, score: number) {
  return { content: { type: 'TEXT', text: d.text }, location: { type: 'S3', s3Location: { uri: d.uri } }, score, metadata: { 'x-amz-bedrock-kb-source-uri': d.uri } };
}

function retrieve(stream: ServerHttp2Stream, opts: BedrockAgentRuntimeOptions, kbId: string, body: any) {
  const docs = opts.knowledgeBases[kbId];
  if (!docs) return send(stream, 404, { message: `knowledge base ${kbId} not found` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
  const n = body.retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults ?? 5;
  const results = ranked(docs, body.retrievalQuery?.text ?? '', n).map((r) => retrievalResult(r.d, r.score));
  send(stream, 200, { retrievalResults: results });
}

/** The answer in two parts, each citing references (the second repeats one), as the service does. */
function generated(opts: BedrockAgentRuntimeOptions, body: any) {
  const cfg = body.retrieveAndGenerateConfiguration?.knowledgeBaseConfiguration ?? {};
  const docs = opts.knowledgeBases[cfg.knowledgeBaseId];
  if (!docs) return undefined;
  const n = cfg.retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults ?? 5;
  const hits = ranked(docs, body.input?.text ?? '', n);
  const answer = opts.answer ?? 'Refunds are accepted within 30 days.';
  const references = hits.map((r) => ({ content: { type: 'TEXT', text: r.d.text }, location: { type: 'S3', s3Location: { uri: r.d.uri } }, metadata: {} }));
  const half = Math.ceil(answer.length / 2);
  const citations = [
    { generatedResponsePart: { textResponsePart: { text: answer.slice(0, half), span: { start: 0, end: half - 1 } } }, retrievedReferences: references },
    { generatedResponsePart: { textResponsePart: { text: answer.slice(half), span: { start: half, end: answer.length - 1 } } }, retrievedReferences: references.slice(0, 1) },
  ];
  return { answer, citations };
}

function notFound(stream: ServerHttp2Stream): void {
  send(stream, 404, { message: 'knowledge base not found' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
}

function retrieveAndGenerate(stream: ServerHttp2Stream, opts: BedrockAgentRuntimeOptions, body: any) {
  const g = generated(opts, body);
  if (!g) return notFound(stream);
  send(stream, 200, { output: { text: g.answer }, citations: g.citations, sessionId: 'session-1' });
}

/** Each part as an output event followed by its citation event. */
function retrieveAndGenerateStream(stream: ServerHttp2Stream, opts: BedrockAgentRuntimeOptions, body: any, breakWith?: string) {
  const g = generated(opts, body);
  if (!g) return notFound(stream);
  const events = g.citations.flatMap((c) => [eventMessage('output', { text: c.generatedResponsePart.textResponsePart.text }), eventMessage('citation', c)]);
  return writeEvents(stream, { 'x-amzn-bedrock-knowledge-base-session-id': 'session-1' }, events, breakWith);
}

/**
 * With enableTrace, each model call of the agent as a modelInvocationInput and a modelInvocationOutput trace
 * event (linked by traceId; usage and times in the output's metadata), then the answer as chunk events.
 */
function invokeAgent(stream: ServerHttp2Stream, opts: BedrockAgentRuntimeOptions, model: string, sessionId: string, body: any, breakWith?: string, agentId?: string) {
  // These timestamps are modelled as RFC 3339 date-times, not the protocol's default epoch seconds.
  const at = (ms: number) => new Date(ms).toISOString();
  const agent = agentId === undefined ? {} : { agentId, agentAliasId: 'TSTALIASID', agentVersion: 'DRAFT' };
  const part = (trace: unknown) => eventMessage('trace', { ...agent, sessionId, eventTime: at(Date.now()), trace });
  const now = Date.now();
  const traces = body.enableTrace !== true ? [] : (opts.agentSteps ?? DEFAULT_AGENT_STEPS).flatMap((step, i) => {
    const traceId = `trace-${i}`;
    const metadata = { startTime: at(now - 500 + i * 100), endTime: at(now - 450 + i * 100), totalTimeMs: 50, usage: { inputTokens: step.inputTokens, outputTokens: step.outputTokens } };
    return [
      part({ [step.trace]: { modelInvocationInput: { traceId, ...(opts.agentTraceNamesModel === false ? {} : { foundationModel: model }), type: 'ORCHESTRATION', text: body.inputText ?? '' } } }),
      part({ [step.trace]: { modelInvocationOutput: { traceId, metadata, rawResponse: { content: '…' } } } }),
    ];
  });
  const answer = opts.answer ?? 'Refunds are accepted within 30 days.';
  const half = Math.ceil(answer.length / 2);
  const chunks = [answer.slice(0, half), answer.slice(half)].map((t) => eventMessage('chunk', { bytes: Buffer.from(t).toString('base64') }));
  return writeEvents(stream, { 'x-amzn-bedrock-agent-content-type': 'application/json', 'x-amz-bedrock-agent-session-id': sessionId }, [...traces, ...chunks], breakWith);
}

/** A 200 event stream; with `breakWith`, a throttlingException event after the first. */
async function writeEvents(stream: ServerHttp2Stream, headers: Record<string, string>, events: Uint8Array[], breakWith?: string) {
  stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-kb', ...headers });
  for (const e of events) {
    if (stream.destroyed || stream.closed) return; // the client abandoned the stream
    stream.write(e);
    if (breakWith !== undefined) return void stream.end(exceptionMessage('throttlingException', { message: breakWith }));
    await new Promise((r) => setImmediate(r));
  }
  stream.end();
}

function rerank(stream: ServerHttp2Stream, body: any) {
  const query = body.queries?.[0]?.textQuery?.text ?? '';
  const texts: string[] = (body.sources ?? []).map((s: any) => s.inlineDocumentSource?.textDocument?.text ?? '');
  const n = body.rerankingConfiguration?.bedrockRerankingConfiguration?.numberOfResults ?? texts.length;
  const q = words(query);
  const results = texts
    .map((t, index) => ({ index, relevanceScore: [...words(t)].filter((w) => q.has(w)).length / Math.max(1, q.size) }))
    .sort((a, b) => b.relevanceScore - a.relevanceScore)
    .slice(0, n);
  send(stream, 200, { results });
}
