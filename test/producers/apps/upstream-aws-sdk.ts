// @opentelemetry/instrumentation-aws-sdk alone (no TokenLedger instrumentation), set up as its README says.
import { createRequire } from 'node:module';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { runBedrockCases } from './bedrock-cases.ts';
import { setUpTracing } from './common.ts';

const app = setUpTracing();
registerInstrumentations({ instrumentations: [new AwsInstrumentation()] });
const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime');
await runBedrockCases(sdk, app);
await app.done();
