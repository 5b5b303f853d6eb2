// OpenLLMetry's @traceloop/instrumentation-openai (openai >=4 <7: openai 6, as `openai-v6`), patched with the
// manual instrumentation call its README gives for bundled or aliased modules.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { setUpTracing } from './common.ts';
import { runOpenAICases } from './openai-cases.ts';

const app = setUpTracing();
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(trace.getTracerProvider());
const openai = createRequire(import.meta.url)('openai-v6');
instrumentation.manuallyInstrument(openai.OpenAI);
await runOpenAICases(openai.OpenAI, app);
await app.done();
