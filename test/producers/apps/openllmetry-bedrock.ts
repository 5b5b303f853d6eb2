// OpenLLMetry's @traceloop/instrumentation-bedrock, registered before the client is loaded.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { BedrockInstrumentation } from '@traceloop/instrumentation-bedrock';
import { runBedrockCases } from './bedrock-cases.ts';
import { setUpTracing } from './common.ts';

const app = setUpTracing();
registerInstrumentations({ instrumentations: [new BedrockInstrumentation()] });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime');
await runBedrockCases(sdk, app);
await app.done();
