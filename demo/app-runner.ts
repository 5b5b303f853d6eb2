// The support assistant as `npm start` and the compose demo service run it: local endpoints in the Bedrock
// Runtime and Agent Runtime wire formats (no AWS account needed), and the app preloaded with
// @tokenledger/node/register, exporting over OTLP as the OTEL_* variables say. `node demo/app-runner.ts`
// runs it once and exits with the app's code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBedrockAgentRuntimeEndpoint, startBedrockEndpoint } from '@tokenledger/local-endpoints';
import { MODELS, REFUND_AGENT_ID } from './models.ts';

const APP = fileURLToPath(new URL('./support-assistant.ts', import.meta.url));

/** Runs the app once against fresh local endpoints; resolves with its exit code. */
export async function runSupportAssistant(env: NodeJS.ProcessEnv): Promise<number> {
  // The drafting model's EU profile is not enabled in this "account": EU drafts fall back to another model.
  // The first calls are throttled once, which the SDK retries.
  const bedrock = await startBedrockEndpoint({ port: 0, faults: { throttleNext: 2, rejectModels: [MODELS.drafterEu] } });
  const agentRuntime = await startBedrockAgentRuntimeEndpoint({
    knowledgeBases: {}, agents: { [REFUND_AGENT_ID]: MODELS.refundAgent }, answer: 'Your refund is approved; it reaches your card within five business days.',
  });
  try {
    console.log(`demo: local Bedrock-format endpoints at ${bedrock.url} and ${agentRuntime.url}; running the support assistant…`);
    const app = spawn(process.execPath, ['--require', '@tokenledger/node/register', APP], {
      env: {
        ...env,
        OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME ?? 'support-assistant',
        DEMO_BEDROCK_URL: bedrock.url,
        DEMO_BEDROCK_AGENT_URL: agentRuntime.url,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return await new Promise((resolve) => app.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  } finally {
    await Promise.all([bedrock.close(), agentRuntime.close()]);
  }
}

if (import.meta.main) process.exit(await runSupportAssistant(process.env));
