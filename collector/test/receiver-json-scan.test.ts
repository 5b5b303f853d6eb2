// The two OTLP/JSON traces decoders against the meaning JSON.parse decoding gives a body (otlp-json-reference.ts):
// the byte scanner takes what the real exporter sends, and on thousands of reshaped, mutated and corrupted bodies
// either declines or returns exactly that; the general decoder (what the receiver uses when the scanner declines)
// returns exactly that on every one of them, or refuses the same bodies. Seeded, so a failure replays.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeJson, modelSpans } from '../../bench/otlp-bodies.ts';
import { generalTracesJson } from '../src/receiver/traces-json-general.ts';
import { parseTracesJson } from './otlp-json-reference.ts';
import { scanTracesJson } from '../src/receiver/traces-json-scan.ts';
import { prng } from './receiver-helpers.ts';

type Outcome = { value: unknown } | { thrown: true };
const run = (decode: (b: Buffer) => unknown, body: Buffer): Outcome => {
  try {
    return { value: decode(body) };
  } catch {
    return { thrown: true };
  }
};

/** What the OTLP/JSON exporter of the OpenTelemetry SDK puts on the wire. */
async function exporterBody(): Promise<Buffer> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'cloud.region': 'eu-west-1' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
    });
    const span = provider.getTracer('t').startSpan('chat', {
      attributes: { 'gen_ai.usage.input_tokens': 1200, 'tokenledger.cost.usd': 0.0125, 'tokenledger.outcome.success': true, 'gen_ai.request.model': 'm', 'http.route': '/chat', 'gen_ai.response.finish_reasons': ['stop'] },
    });
    span.addEvent('e', { 'gen_ai.x': 1 });
    span.end();
    await provider.shutdown();
  } finally {
    server.close();
  }
  expect(bodies).toHaveLength(1);
  return bodies[0]!;
}

/** Valid and invalid variants of a request, in the shapes the scanner must either decline or get right. */
function variants(doc: unknown, rand: () => number): Buffer[] {
  const text = JSON.stringify(doc);
  const out = [
    JSON.stringify(doc, null, 2), // whitespace everywhere
    text.replace(/"traceId"/, '"trace_id"'), text.replace(/"scopeSpans"/, '"scope_spans"'), text.replace(/"resourceSpans"/, '"resource_spans"'),
    text.replace(/"gen_ai\./, '"\\u0067en_ai.'), text.replace(/"stringValue":"aws/, '"stringValue":"\\u0061\\n\\"ws'), text.replace(/"name":"chat/, '"n\\u0061me":"chat'),
    text.replace(/("endTimeUnixNano":"\d+",)"attributes":\[/, '$1"attributes":[{"key":"gen_ai.dup","value":{"intValue":"1"}}],"attributes":['),
    text.replace(/"resource":\{"attributes":\[/, '"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"dup"}}],"attributes":['),
    text.replace(/"status":\{/, '"status":{"code":1},"status":{'),
    text.replace(/\{"key":("[^"]*"),"value":(\{[^}]*\})\}/, '{"value":$2,"key":$1}'), text.replace(/"startTimeUnixNano":"(\d+)"/, '"startTimeUnixNano":$1'),
    text.replace(/"intValue":"(\d+)"/g, '"intValue":$1'), text.replace(/"stringValue":"[^"]*"/, '"stringValue":"é€😀"'),
    text.replace(/"resource":(\{"attributes":\[[^\]]*\]\}),("scopeSpans":.*)\}\]\}$/, '$2,"resource":$1}]}'),
    `${text} `, `${text}x`, `\ufeff${text}`, text.slice(0, -1), text.replace(/:/, ': \t\r\n'),
  ].map((s) => Buffer.from(s));
  for (let i = 0; i < 6; i++) {
    const b = Buffer.from(text);
    for (let m = 0; m < 1 + rand() * 4; m++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    out.push(b);
  }
  return out;
}

/** Replaces random nodes of a document by values of other types, numbers and strings the rules treat specially among them. */
function mutate(doc: unknown, rand: () => number): unknown {
  const odd = [null, 0, -0, 1.5, 1e21, -1, 'x', '', true, false, [], {}, { stringValue: 5 }, 'ABCDEF0123456789', '007', 'STATUS_CODE_ERROR', '1e3'];
  const walk = (v: unknown, depth: number): unknown => {
    if (rand() < 0.05 * depth) return odd[Math.floor(rand() * odd.length)];
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
    return v;
  };
  return walk(doc, 0);
}

describe('OTLP/JSON decoders', () => {
  it('takes the body the SDK\'s JSON exporter sends, and decodes it as JSON.parse does', async () => {
    const body = await exporterBody();
    const scanned = scanTracesJson(body);
    expect(scanned.spans).toHaveLength(1);
    expect(scanned).toEqual(parseTracesJson(body));
    expect(scanned.spans[0]!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 1200, 'tokenledger.outcome.success': true, 'service.name': 'shop' });
  });

  it('declines or agrees with JSON.parse on 3000 reshaped, mutated and corrupted bodies', () => {
    const rand = prng(11);
    // Model-call spans with every value kind: strings, ints, doubles, both booleans.
    const spans = modelSpans(4).map((s, i) => ({ ...s, attributes: { ...s.attributes, 'tokenledger.outcome.success': i % 2 === 0, 'tokenledger.fallback': i % 2 === 1 } }));
    const base = JSON.parse(encodeJson(spans, { 'service.name': 'bench', 'cloud.region': 'eu-west-1' }).toString());
    let taken = 0;
    let declined = 0;
    let cases = 0;
    while (cases < 3000) {
      const doc = rand() < 0.3 ? base : mutate(base, rand);
      for (const body of [Buffer.from(JSON.stringify(doc)), ...variants(doc, rand)]) {
        cases++;
        const scanned = run(scanTracesJson, body);
        const parsed = run(parseTracesJson, body);
        expect(run(generalTracesJson, body), body.toString()).toEqual(parsed);
        if ('thrown' in scanned) declined++;
        else {
          taken++;
          expect(scanned.value, body.toString()).toEqual((parsed as { value: unknown }).value);
        }
      }
    }
    // Both branches are exercised, and plenty of what the scanner takes is not the plain shape.
    expect(taken).toBeGreaterThan(cases / 10);
    expect(declined).toBeGreaterThan(cases / 4);
  });
});
