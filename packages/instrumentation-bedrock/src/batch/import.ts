// `tokenledger batch import <output.jsonl>`: turns a Bedrock batch job's output records into priced spans
// (tier `batch`) under one trace per job, with the job's attribution, and exports them over OTLP.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { costAttributes, defaultPriceBook } from '@tokenledger/pricing';
import {
  ATTR_BATCH_JOB_ID,
  ATTR_BATCH_RECORD_ID,
  ATTR_ERROR_TYPE,
  ATTR_FEATURE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_OUTCOME,
  ATTR_OUTCOME_SUCCESS,
  ATTR_ROUTE,
  ATTR_TENANT,
  ATTR_USAGE_ESTIMATED,
  ATTR_WORKFLOW,
  OPERATION_CHAT,
  PROVIDER_AWS_BEDROCK,
} from '@tokenledger/semconv';
import { readBatchRecord } from './records.ts';

const USAGE = `usage: tokenledger batch import <output.jsonl> --model <modelId|ARN> [--job <jobArn|name>]
       [--tenant T] [--feature F] [--workflow W] [--route R] [--outcome NAME]
Reads a Bedrock batch job's output records and exports one priced span per record (batch prices) to
OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).`;

export interface BatchImportDeps {
  /** Where spans go; default: the OTLP/HTTP protobuf exporter configured by the OTEL_* variables. */
  exporter?: SpanExporter;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Runs `batch import …` (argv without the `batch` word); resolves to the process exit code. */
export async function runBatchImport(argv: readonly string[], deps: BatchImportDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => console.log(l));
  const err = deps.err ?? ((l: string) => console.error(l));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        model: { type: 'string' }, job: { type: 'string' }, tenant: { type: 'string' }, feature: { type: 'string' },
        workflow: { type: 'string' }, route: { type: 'string' }, outcome: { type: 'string' }, help: { type: 'boolean' },
      },
    });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, file] = positionals;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (command !== 'import' || !file || !values.model) {
    err(USAGE);
    return 2;
  }
  const model = values.model;
  const job = values.job ?? file;
  const attribution: Attributes = {};
  for (const [k, v] of [[ATTR_TENANT, values.tenant], [ATTR_FEATURE, values.feature], [ATTR_WORKFLOW, values.workflow], [ATTR_ROUTE, values.route]] as const) {
    if (v) attribution[k] = v;
  }

  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tokenledger-batch-import' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: deps.exporter ?? new OTLPTraceExporter() })],
  });
  const tracer = provider.getTracer('@tokenledger/batch-import', '0.1.0');
  const book = defaultPriceBook();
  const totals = { records: 0, failed: 0, estimated: 0, usd: 0, unpriced: 0 };
  const root = tracer.startSpan(`batch ${job}`, {
    kind: SpanKind.INTERNAL,
    // No model or cost here: the records carry them, and the collector sums the records.
    attributes: { ...attribution, [ATTR_BATCH_JOB_ID]: job },
  }, ROOT_CONTEXT);
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      lineNo++;
      let record;
      try {
        record = readBatchRecord(line);
      } catch (e) {
        throw new Error(`${file}:${lineNo}: not a JSON record (${(e as Error).message})`);
      }
      if (!record) continue;
      totals.records++;
      const span = tracer.startSpan(`${OPERATION_CHAT} ${model}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          ...attribution,
          [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT,
          [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK,
          [ATTR_GEN_AI_REQUEST_MODEL]: model,
          [ATTR_BATCH_JOB_ID]: job,
          ...(record.recordId ? { [ATTR_BATCH_RECORD_ID]: record.recordId } : {}),
        },
      }, parent);
      if (record.error !== undefined || !record.usage) {
        totals.failed++;
        span.setStatus({ code: SpanStatusCode.ERROR, message: record.error });
        span.setAttribute(ATTR_ERROR_TYPE, 'BatchRecordError');
      } else {
        const u = record.usage;
        span.setAttributes({ [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: u.inputTokens, [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: u.outputTokens });
        if (u.cacheReadInputTokens) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, u.cacheReadInputTokens);
        if (u.cacheCreationInputTokens) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, u.cacheCreationInputTokens);
        if (record.estimated) {
          totals.estimated++;
          span.setAttribute(ATTR_USAGE_ESTIMATED, true);
        }
        const cost = book.cost(model, u, { provider: PROVIDER_AWS_BEDROCK, tier: 'batch' });
        span.setAttributes(costAttributes(cost));
        if (cost.priced) totals.usd += cost.totalUsd;
        else totals.unpriced++;
      }
      span.end();
    }
    if (values.outcome) root.setAttributes({ [ATTR_OUTCOME]: values.outcome, [ATTR_OUTCOME_SUCCESS]: totals.failed === 0 });
  } catch (e) {
    root.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
    err((e as Error).message);
    return 1;
  } finally {
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
  }
  out(`${totals.records} records (${totals.failed} failed, ${totals.estimated} estimated, ${totals.unpriced} unpriced): ${totals.usd.toFixed(6)} USD at batch prices, job ${job}`);
  return 0;
}
