// @opentelemetry/instrumentation-openai alone. It supports openai <7, so the app uses openai 6 (installed as
// `openai-v6`); under that alias require hooks do not see the module, so its patch is applied directly.
import { createRequire } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { setUpTracing } from './common.ts';
import { runOpenAICases } from './openai-cases.ts';

const app = setUpTracing();
const instrumentation = new OpenAIInstrumentation();
// Its token histograms are created with the meter provider (the global no-op one here, as in an app without metrics).
instrumentation.setMeterProvider(metrics.getMeterProvider());
const openai = createRequire(import.meta.url)('openai-v6');
for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openai, '6.30.1');
await runOpenAICases(openai.OpenAI, app);
await app.done();
