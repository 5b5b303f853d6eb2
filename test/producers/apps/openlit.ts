// OpenLIT as its README sets it up: `openlit.init()` builds its own TracerProvider and OTLP/HTTP (JSON)
// exporter and instruments openai and the Bedrock client. Its own resource ignores OTEL_RESOURCE_ATTRIBUTES,
// so attribution goes on the spans: the tenant with `customSpanAttributes`, the workflow of each request
// with `openlit.usingAttributes`. Its price list: OPENLIT_PRICING (a JSON price list) or, without it, the
// one it fetches from GitHub, which fails here (no internet), as behind a locked-down egress.
import { createRequire } from 'node:module';
import openlitModule from 'openlit';
import { runBedrockCases } from './bedrock-cases.ts';
import { env, tracingOf, type AppTracing } from './common.ts';
import { runOpenAICases } from './openai-cases.ts';

const openlit = ((openlitModule as any).default ?? openlitModule) as any;
openlit.init({
  otlpEndpoint: env('TL_OTLP'),
  applicationName: 'openlit-app',
  disableMetrics: true,
  disableEvents: true,
  captureMessageContent: false,
  customSpanAttributes: { 'tokenledger.tenant': 'acme' },
  pricingJson: process.env.OPENLIT_PRICING ? JSON.parse(process.env.OPENLIT_PRICING) : undefined,
});
// OpenLIT registers its provider through its own copy of @opentelemetry/api (1.9): an app on api 1.10 sees a
// no-op provider there (a global set by an older minor is not handed to a newer one). The app's own spans
// therefore go through OpenLIT's copy of the API, as they must in such an app.
const require = createRequire(import.meta.url);
const { trace } = createRequire(require.resolve('openlit'))('@opentelemetry/api');
const provider = trace.getTracerProvider().getDelegate();
const base = tracingOf(provider, trace.getTracer('producer-app'), true);
const app: AppTracing = { ...base, run: (name, fn) => base.run(name, () => openlit.usingAttributes({ 'tokenledger.workflow': name }, fn)) };
const { OpenAI } = require('openai');
await runOpenAICases(OpenAI, app);
await runBedrockCases(require('@aws-sdk/client-bedrock-runtime'), app);
await app.done();
