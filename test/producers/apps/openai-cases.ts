// The OpenAI calls the OpenAI producers' apps make with the real `openai` client against the local endpoint
// (TL_OPENAI), whose usage (cached reads and writes included) the test sets: chat completions, JSON and
// streamed (with and without `stream_options.include_usage`), responses, and embeddings.
import { drain, env, type AppTracing } from './common.ts';

export const MINI = 'gpt-4o-mini';
export const EMBEDDING = 'text-embedding-3-small';
export const OPENAI_CASES = ['chat', 'chat-stream', 'chat-stream-usage', 'responses', 'embeddings'] as const;

export async function runOpenAICases(OpenAI: any, app: AppTracing, only: readonly string[] = OPENAI_CASES): Promise<void> {
  const client = new OpenAI({ apiKey: 'k', baseURL: env('TL_OPENAI'), maxRetries: 0 });
  const messages = [{ role: 'system', content: 'You answer support tickets.' }, { role: 'user', content: 'Where is my order?' }];
  const cases: Record<string, () => Promise<unknown>> = {
    chat: () => client.chat.completions.create({ model: MINI, messages }),
    'chat-stream': async () => drain(await client.chat.completions.create({ model: MINI, messages, stream: true })),
    'chat-stream-usage': async () => drain(await client.chat.completions.create({ model: MINI, messages, stream: true, stream_options: { include_usage: true } })),
    responses: () => client.responses.create({ model: MINI, instructions: 'You answer support tickets.', input: 'Where is my order?' }),
    embeddings: () => client.embeddings.create({ model: EMBEDDING, input: 'Where is my order?' }),
  };
  for (const name of only) await app.run(name, cases[name]!);
}
