// The Vercel AI SDK (`ai` 7) with its OpenTelemetry integration (`@ai-sdk/otel`; AI_SDK_LEGACY=1: the legacy
// `ai.*` spans), registered once at start as its documentation says, calling OpenAI (responses, chat stream,
// embeddings) and Amazon Bedrock (Converse with two cache points, and streamed) through its providers.
import { OpenTelemetry, LegacyOpenTelemetry } from '@ai-sdk/otel';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateText, registerTelemetry, streamText } from 'ai';
import { HAIKU } from './bedrock-cases.ts';
import { env, setUpTracing } from './common.ts';
import { EMBEDDING, MINI } from './openai-cases.ts';

const app = setUpTracing();
registerTelemetry(process.env.AI_SDK_LEGACY ? new LegacyOpenTelemetry() : new OpenTelemetry());
const openai = createOpenAI({ baseURL: env('TL_OPENAI'), apiKey: 'k' });
const bedrock = createAmazonBedrock({ baseURL: env('TL_BEDROCK'), region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b' });
const cachePoint = { bedrock: { cachePoint: { type: 'default' } } };
// The same cached prefixes as the other Bedrock apps: 10 tokens read, 11 written.
const bedrockMessages: any[] = [
  { role: 'system', content: 'You answer support tickets for ACME Inc.', providerOptions: cachePoint },
  { role: 'system', content: 'Refunds within 30 days; replacements free!!!', providerOptions: cachePoint },
  { role: 'user', content: 'Where is my order #1234?' },
];
const retries = { maxRetries: 0 };

await app.run('generate-openai', () => generateText({ model: openai(MINI), prompt: 'Where is my order?', ...retries }));
await app.run('stream-openai-chat', async () => {
  const result = streamText({ model: openai.chat(MINI), prompt: 'Where is my order?', ...retries });
  for await (const _ of result.textStream);
});
await app.run('embed-openai', () => embed({ model: openai.embedding(EMBEDDING), value: 'Where is my order?', ...retries }));
await app.run('generate-bedrock', () => generateText({ model: bedrock(HAIKU), messages: bedrockMessages, allowSystemInMessages: true, ...retries } as any));
await app.run('stream-bedrock', async () => {
  const result = streamText({ model: bedrock(HAIKU), messages: bedrockMessages, allowSystemInMessages: true, ...retries } as any);
  for await (const _ of result.textStream);
});
await app.done();
