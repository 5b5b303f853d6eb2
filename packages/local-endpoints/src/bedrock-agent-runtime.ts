// A local endpoint in the Bedrock Agent Runtime wire format (rest-json over cleartext HTTP/2, which the client
// speaks by default): Retrieve, RetrieveAndGenerate and Rerank over a small in-memory knowledge base.
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface KnowledgeBaseDocument {
  text: string;
  uri: string;
}

export interface BedrockAgentRuntimeOptions {
  /** Knowledge-base id → its documents; results are ranked by words shared with the query. */
  knowledgeBases: Record<string, KnowledgeBaseDocument[]>;
  /** The answer RetrieveAndGenerate returns. */
  answer?: string;
}

export interface BedrockAgentRuntimeEndpoint {
  url: string;
  requests: { path: string; body: any }[];
  /** The next request fails with this AWS error (e.g. 429 ThrottlingException). */
  failNext(status: number, errorType: string, message: string): void;
  close(): Promise<void>;
}

export async function startBedrockAgentRuntimeEndpoint(opts: BedrockAgentRuntimeOptions): Promise<BedrockAgentRuntimeEndpoint> {
  const requests: { path: string; body: any }[] = [];
  const failures: { status: number; errorType: string; message: string }[] = [];
  const server: Http2Server = createServer();
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
      if (path === '/rerank') return rerank(stream, body);
      send(stream, 404, { message: `no route ${path}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, errorType, message) => void failures.push({ status, errorType, message }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
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

function retrieveAndGenerate(stream: ServerHttp2Stream, opts: BedrockAgentRuntimeOptions, body: any) {
  const cfg = body.retrieveAndGenerateConfiguration?.knowledgeBaseConfiguration ?? {};
  const docs = opts.knowledgeBases[cfg.knowledgeBaseId];
  if (!docs) return send(stream, 404, { message: 'knowledge base not found' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
  const n = cfg.retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults ?? 5;
  const hits = ranked(docs, body.input?.text ?? '', n);
  const answer = opts.answer ?? 'Refunds are accepted within 30 days.';
  // Two citation parts that cite overlapping references, as the service does.
  const references = hits.map((r) => ({ content: { type: 'TEXT', text: r.d.text }, location: { type: 'S3', s3Location: { uri: r.d.uri } }, metadata: {} }));
  const half = Math.ceil(answer.length / 2);
  send(stream, 200, {
    output: { text: answer },
    citations: [
      { generatedResponsePart: { textResponsePart: { text: answer.slice(0, half), span: { start: 0, end: half - 1 } } }, retrievedReferences: references },
      { generatedResponsePart: { textResponsePart: { text: answer.slice(half), span: { start: half, end: answer.length - 1 } } }, retrievedReferences: references.slice(0, 1) },
    ],
    sessionId: 'session-1',
  });
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
