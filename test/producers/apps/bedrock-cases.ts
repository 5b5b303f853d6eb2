// The Bedrock calls every Bedrock producer's app makes, through the real @aws-sdk/client-bedrock-runtime
// against the local endpoint (TL_BEDROCK): Converse and ConverseStream with a cached prefix read and another
// written (two cache points), InvokeModel and InvokeModelWithResponseStream with Anthropic's cache_control,
// Llama (no prompt cache), an inference-profile id, and a refused model.
import { drain, env, type AppTracing } from './common.ts';

export const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';
export const LLAMA = 'meta.llama3-1-8b-instruct-v1:0';
/** The endpoint answers 400 ValidationException for it (the test sets rejectModels). */
export const REFUSED = 'anthropic.claude-refused-v1:0';
// 40 characters = 10 tokens (read from the cache), 44 = 11 tokens (written): see the endpoint's usageOf.
const READ = 'You answer support tickets for ACME Inc.';
const WRITTEN = 'Refunds within 30 days; replacements free!!!';
if (READ.length !== 40 || WRITTEN.length !== 44) throw new Error('cached prefixes of 10 and 11 tokens');

export const BEDROCK_CASES = ['converse', 'converse-stream', 'converse-profile', 'invoke-claude', 'invoke-stream-claude', 'invoke-llama', 'refused'] as const;

export async function runBedrockCases(sdk: any, app: AppTracing): Promise<void> {
  const client = new sdk.BedrockRuntimeClient({ endpoint: env('TL_BEDROCK'), region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const system = [{ text: READ }, { cachePoint: { type: 'default' } }, { text: WRITTEN }, { cachePoint: { type: 'default' } }];
  const messages = [{ role: 'user', content: [{ text: 'Where is my order #1234?' }] }];
  const anthropicBody = JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31', max_tokens: 200,
    system: [{ type: 'text', text: READ, cache_control: { type: 'ephemeral' } }, { type: 'text', text: WRITTEN, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'Where is my order #1234?' }],
  });
  await app.run('converse', () => client.send(new sdk.ConverseCommand({ modelId: HAIKU, system, messages })));
  await app.run('converse-stream', async () => {
    const out = await client.send(new sdk.ConverseStreamCommand({ modelId: HAIKU, system, messages }));
    await drain(out.stream);
  });
  await app.run('converse-profile', () => client.send(new sdk.ConverseCommand({ modelId: `us.${HAIKU}`, system, messages })));
  await app.run('invoke-claude', () => client.send(new sdk.InvokeModelCommand({ modelId: HAIKU, body: anthropicBody, contentType: 'application/json' })));
  await app.run('invoke-stream-claude', async () => {
    const out = await client.send(new sdk.InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: anthropicBody, contentType: 'application/json' }));
    await drain(out.body);
  });
  await app.run('invoke-llama', () => client.send(new sdk.InvokeModelCommand({
    modelId: LLAMA, contentType: 'application/json', body: JSON.stringify({ prompt: 'Summarise the ticket: order #1234 is late.', max_gen_len: 100 }),
  })));
  await app.run('refused', () => client.send(new sdk.ConverseCommand({ modelId: REFUSED, messages })));
  client.destroy();
}
