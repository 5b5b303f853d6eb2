// The local Bedrock endpoint: HTTP/2 (the AWS SDK) and HTTP/1.1 (fetch-based clients) on one port, and
// cache reads and writes in one request (two cache points), in Converse and in Anthropic's native body.
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEndpoint, type BedrockEndpoint } from '../src/bedrock.ts';

const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
let endpoint: BedrockEndpoint;
let client: BedrockRuntimeClient;
beforeAll(async () => {
  endpoint = await startBedrockEndpoint();
  client = new BedrockRuntimeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

// 40 characters = 10 tokens (even: read), 44 characters = 11 tokens (odd: written).
const READ = 'r'.repeat(40);
const WRITTEN = 'w'.repeat(44);

describe('local Bedrock endpoint', () => {
  it('reads one cached prefix and writes the next in one Converse request (HTTP/2, the AWS SDK)', async () => {
    const out = await client.send(new ConverseCommand({
      modelId: HAIKU,
      system: [{ text: READ }, { cachePoint: { type: 'default' } }, { text: WRITTEN }, { cachePoint: { type: 'default' } }],
      messages: [{ role: 'user', content: [{ text: 'abcdefgh' }] }],
    }));
    expect(out.usage).toMatchObject({ inputTokens: 2, cacheReadInputTokens: 10, cacheWriteInputTokens: 11, totalTokens: 2 + 10 + 11 + out.usage!.outputTokens! });
  });

  it('reads cache_control prefixes of an Anthropic native body (InvokeModel)', async () => {
    const body = {
      anthropic_version: 'bedrock-2023-05-31', max_tokens: 50,
      system: [{ type: 'text', text: READ, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: WRITTEN, cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'hi' }] }],
    };
    const out = await client.send(new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify(body) }));
    const usage = JSON.parse(new TextDecoder().decode(out.body)).usage;
    expect(usage).toMatchObject({ cache_read_input_tokens: 10, cache_creation_input_tokens: 11 });
    expect(usage.input_tokens).toBe(Math.ceil((JSON.stringify(body).length - 84) / 4));
  });

  it('serves HTTP/1.1 clients on the same port, event streams included', async () => {
    const model = encodeURIComponent(HAIKU);
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
    const json = await fetch(`${endpoint.url}/model/${model}/converse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(json.status).toBe(200);
    expect((await json.json()).usage).toMatchObject({ inputTokens: 2 });
    const stream = await fetch(`${endpoint.url}/model/${model}/converse-stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(stream.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const bytes = new Uint8Array(await stream.arrayBuffer());
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const types: string[] = [];
    for (let at = 0; at < bytes.length;) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0);
      types.push(String(codec.decode(bytes.subarray(at, at + length)).headers[':event-type']?.value));
      at += length;
    }
    expect(types).toEqual(['messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    expect(endpoint.requests.at(-1)).toMatchObject({ operation: 'converse-stream', status: 200 });
  });
});
