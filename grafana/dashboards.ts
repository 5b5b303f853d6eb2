// The Grafana dashboards, as typed data (`@grafana/schema`, the same version as the Grafana image in
// docker-compose.yml). `npm run dashboards` writes them to grafana/dashboards/*.json; the tests check
// that the committed JSON is current and run every query against a real Prometheus.
import type { Dashboard, DataSourceRef, Panel, VariableModel } from '@grafana/schema';
import * as sc from '@tokenledger/semconv';

/** Datasource uids, as provisioned in grafana/provisioning/datasources/tokenledger.yaml. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'tokenledger-prometheus' },
  jaeger: { type: 'jaeger', uid: 'tokenledger-jaeger' },
  cloudwatch: { type: 'cloudwatch', uid: 'tokenledger-cloudwatch' },
} as const satisfies Record<string, DataSourceRef>;

/** `schemaVersion` of @grafana/schema's defaultDashboard for the pinned Grafana (checked by the tests). */
export const SCHEMA_VERSION = 42;

const PROM = DATASOURCES.prometheus;
const USD = 'currencyUSD';
const TOKENS = 'short';

// --- query fragments -------------------------------------------------------------------------------

/** The attribution filter every cost query takes from the tenant/feature/workflow variables. */
const ATTR = `${sc.LABEL_TENANT}=~"$tenant", ${sc.LABEL_FEATURE}=~"$feature", ${sc.LABEL_WORKFLOW}=~"$workflow"`;
const W = '$__rate_interval';
const RANGE = '$__range';

function sel(metric: string, extra = ''): string {
  return `${metric}{${ATTR}${extra ? `, ${extra}` : ''}}`;
}

/** The design's formula: cost of the workflow's traces ÷ its successful outcomes, over `window`. */
export function costPerSuccess(by: readonly string[], window: string): string {
  const b = by.join(', ');
  return `sum by (${b}) (rate(${sel(`${sc.METRIC_OUTCOME_COST_USD}_sum`)}[${window}]))\n/ sum by (${b}) (rate(${sel(sc.METRIC_OUTCOMES_TOTAL, `${sc.LABEL_SUCCESS}="${sc.SUCCESS_TRUE}"`)}[${window}]))`;
}

// --- panel builders --------------------------------------------------------------------------------

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table';
}

interface PanelSpec {
  title: string;
  description: string;
  type: 'timeseries' | 'table' | 'stat' | 'bargauge' | 'piechart' | 'gauge';
  unit: string;
  targets: Omit<Target, 'refId'>[];
  w?: number;
  h?: number;
  links?: unknown[];
  options?: Record<string, unknown>;
  stack?: boolean;
  max?: number;
  transformations?: { id: string; options: Record<string, unknown> }[];
}

function panel(spec: PanelSpec): Panel {
  return {
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: PROM,
    targets: spec.targets.map((t, i) => ({ datasource: PROM, refId: String.fromCharCode(65 + i), ...t })),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.max === undefined ? {} : { min: 0, max: spec.max }),
        ...(spec.links ? { links: spec.links } : {}),
        ...(spec.type === 'timeseries' && spec.stack ? { custom: { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 60 } } : {}),
      },
      overrides: [],
    },
    options: spec.options ?? {},
    ...(spec.transformations ? { transformations: spec.transformations } : {}),
    // gridPos is laid out by dashboard().
    gridPos: { x: 0, y: 0, w: spec.w ?? 12, h: spec.h ?? 8 },
  };
}

const instantTable = (expr: string): Omit<Target, 'refId'> => ({ expr, instant: true, range: false, format: 'table' });
const series = (expr: string, legendFormat: string): Omit<Target, 'refId'> => ({ expr, legendFormat, range: true });

function queryVariable(name: string, label: string, metric: string, labelName: string): VariableModel {
  return {
    type: 'query',
    name,
    label,
    datasource: PROM,
    query: { query: `label_values(${metric}, ${labelName})`, refId: `${name}-values` },
    definition: `label_values(${metric}, ${labelName})`,
    includeAll: true,
    allValue: '.*',
    multi: true,
    refresh: 2,
    sort: 1,
    current: { text: ['All'], value: ['$__all'] },
  } as VariableModel;
}

const ATTRIBUTION_VARIABLES: VariableModel[] = [
  queryVariable('tenant', 'Tenant', sc.METRIC_OUTCOMES_TOTAL, sc.LABEL_TENANT),
  queryVariable('feature', 'Feature', sc.METRIC_OUTCOMES_TOTAL, sc.LABEL_FEATURE),
  queryVariable('workflow', 'Workflow', sc.METRIC_OUTCOMES_TOTAL, sc.LABEL_WORKFLOW),
];

/** The service Jaeger searches in when following a workflow to its traces. */
const JAEGER_SERVICE: VariableModel = {
  type: 'textbox',
  name: 'service',
  label: 'Jaeger service',
  query: 'tokenledger-demo',
  current: { text: 'tokenledger-demo', value: 'tokenledger-demo' },
} as VariableModel;

/** From a workflow (a table row or a series) to its traces in Jaeger, through Explore. */
function jaegerLinks(workflowRef: string): unknown[] {
  return [
    {
      title: 'Traces of this workflow in Jaeger',
      url: '',
      internal: {
        datasourceUid: DATASOURCES.jaeger.uid,
        datasourceName: 'Jaeger',
        query: {
          refId: 'traces',
          queryType: 'search',
          service: '$service',
          tags: `${sc.ATTR_WORKFLOW}=${workflowRef}`,
          limit: 20,
        },
      },
    },
  ];
}

function dashboard(o: { uid: string; title: string; description: string; tags: string[]; variables: VariableModel[]; panels: Panel[] }): Dashboard {
  // Flow panels left to right, 24 columns wide.
  let x = 0;
  let y = 0;
  let rowH = 0;
  o.panels.forEach((p, i) => {
    const g = p.gridPos!;
    if (x + g.w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    p.id = i + 1;
    p.gridPos = { ...g, x, y };
    x += g.w;
    rowH = Math.max(rowH, g.h);
  });
  return {
    uid: o.uid,
    title: o.title,
    description: o.description,
    tags: ['tokenledger', ...o.tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    templating: { list: o.variables },
    annotations: { list: [] },
    links: [{ title: 'TokenLedger', type: 'dashboards', tags: ['tokenledger'], asDropdown: true, icon: 'external link', includeVars: true, keepTime: true, targetBlank: false, tooltip: '', url: '' }],
    panels: o.panels,
  };
}

// --- the dashboards --------------------------------------------------------------------------------

const costPerOutcome = dashboard({
  uid: 'tokenledger-cost',
  title: 'TokenLedger — cost per outcome',
  description: 'What each feature, tenant and workflow costs, and what a successful outcome costs.',
  tags: ['cost'],
  variables: [...ATTRIBUTION_VARIABLES, JAEGER_SERVICE],
  panels: [
    panel({
      title: 'Cost per successful outcome by workflow and tenant',
      description: 'Total cost of the workflow\'s traces (retries and retrieval included) ÷ its successful outcomes, over the dashboard range. Click a row for its traces in Jaeger.',
      type: 'table', unit: USD, w: 12, h: 9,
      targets: [instantTable(costPerSuccess([sc.LABEL_WORKFLOW, sc.LABEL_TENANT], RANGE))],
      links: jaegerLinks(`\${__data.fields.${sc.LABEL_WORKFLOW}}`),
      options: { showHeader: true, sortBy: [{ displayName: 'Cost per success', desc: true }] },
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'Cost per success' } } }],
    }),
    panel({
      title: 'Cost per successful outcome over time',
      description: 'The same formula over a sliding window, per workflow.',
      type: 'timeseries', unit: USD, w: 12, h: 9,
      targets: [series(costPerSuccess([sc.LABEL_WORKFLOW], W), `{{${sc.LABEL_WORKFLOW}}}`)],
      links: jaegerLinks(`\${__field.labels.${sc.LABEL_WORKFLOW}}`),
    }),
    panel({
      title: 'Outcomes by success',
      description: 'Finalised traces per second; a trace with no outcome counts as success="unknown".',
      type: 'timeseries', unit: 'ops', w: 8, stack: true,
      targets: [series(`sum by (${sc.LABEL_WORKFLOW}, ${sc.LABEL_SUCCESS}) (rate(${sel(sc.METRIC_OUTCOMES_TOTAL)}[${W}]))`, `{{${sc.LABEL_WORKFLOW}}} success={{${sc.LABEL_SUCCESS}}}`)],
    }),
    panel({
      title: 'Spend by tenant',
      description: 'Cost over the dashboard range.',
      type: 'bargauge', unit: USD, w: 8,
      targets: [{ ...instantTable(`sum by (${sc.LABEL_TENANT}) (increase(${sel(sc.METRIC_COST_USD_TOTAL)}[${RANGE}]))`), format: 'time_series', legendFormat: `{{${sc.LABEL_TENANT}}}` }],
      options: { orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'], values: false } },
    }),
    panel({
      title: 'Spend by feature',
      description: 'Cost over the dashboard range.',
      type: 'piechart', unit: USD, w: 8,
      targets: [{ ...instantTable(`sum by (${sc.LABEL_FEATURE}) (increase(${sel(sc.METRIC_COST_USD_TOTAL)}[${RANGE}]))`), format: 'time_series', legendFormat: `{{${sc.LABEL_FEATURE}}}` }],
      options: { reduceOptions: { calcs: ['lastNotNull'], values: false }, legend: { displayMode: 'table', placement: 'right', values: ['value', 'percent'] } },
    }),
    panel({
      title: 'Spend rate by route',
      description: 'USD per second by the route the caller chose.',
      type: 'timeseries', unit: USD, w: 12, stack: true,
      targets: [series(`sum by (${sc.LABEL_ROUTE}) (rate(${sel(sc.METRIC_COST_USD_TOTAL)}[${W}]))`, `{{${sc.LABEL_ROUTE}}}`)],
    }),
    panel({
      title: 'Spend rate by model',
      description: 'USD per second by provider and model.',
      type: 'timeseries', unit: USD, w: 12, stack: true,
      targets: [series(`sum by (${sc.LABEL_PROVIDER}, ${sc.LABEL_MODEL}) (rate(${sel(sc.METRIC_COST_USD_TOTAL)}[${W}]))`, `{{${sc.LABEL_PROVIDER}}} {{${sc.LABEL_MODEL}}}`)],
    }),
    panel({
      title: 'Tokens: input, output and cache',
      description: 'Tokens per second by type (input = uncached input).',
      type: 'timeseries', unit: TOKENS, w: 8, stack: true,
      targets: [series(`sum by (${sc.LABEL_TYPE}) (rate(${sel(sc.METRIC_TOKENS_TOTAL)}[${W}]))`, `{{${sc.LABEL_TYPE}}}`)],
    }),
    panel({
      title: 'Cost by component',
      description: 'Uncached input, output, cache read/write, retrieval, embedding, rerank and self-hosted time.',
      type: 'timeseries', unit: USD, w: 8, stack: true,
      targets: [series(`sum by (${sc.LABEL_COMPONENT}) (rate(${sel(sc.METRIC_COST_USD_TOTAL)}[${W}]))`, `{{${sc.LABEL_COMPONENT}}}`)],
    }),
    panel({
      title: 'Cache savings',
      description: 'What cached tokens saved against the input price, over the dashboard range, by model.',
      type: 'bargauge', unit: USD, w: 8,
      targets: [{ ...instantTable(`sum by (${sc.LABEL_MODEL}) (increase(${sel(sc.METRIC_CACHE_SAVINGS_USD_TOTAL)}[${RANGE}]))`), format: 'time_series', legendFormat: `{{${sc.LABEL_MODEL}}}` }],
      options: { orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'], values: false } },
    }),
    panel({
      title: 'Retry and fallback share of cost',
      description: 'Cost of retried, fallback and repeated identical calls ÷ all cost, by workflow.',
      type: 'timeseries', unit: 'percentunit', w: 12, max: 1,
      targets: [series(`sum by (${sc.LABEL_WORKFLOW}) (rate(${sel(sc.METRIC_RETRY_COST_USD_TOTAL)}[${W}]))\n/ sum by (${sc.LABEL_WORKFLOW}) (rate(${sel(sc.METRIC_COST_USD_TOTAL)}[${W}]))`, `{{${sc.LABEL_WORKFLOW}}}`)],
    }),
    panel({
      title: 'Retry and fallback cost by model',
      description: 'USD over the dashboard range spent on calls that repeated or replaced another.',
      type: 'bargauge', unit: USD, w: 12,
      targets: [{ ...instantTable(`sum by (${sc.LABEL_ROUTE}, ${sc.LABEL_MODEL}) (increase(${sel(sc.METRIC_RETRY_COST_USD_TOTAL)}[${RANGE}]))`), format: 'time_series', legendFormat: `{{${sc.LABEL_ROUTE}}} {{${sc.LABEL_MODEL}}}` }],
      options: { orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'], values: false } },
    }),
    panel({
      title: 'Where input tokens come from',
      description: 'System prompt, conversation history, retrieved context, user input and tool definitions.',
      type: 'timeseries', unit: TOKENS, w: 12, stack: true,
      targets: [series(`sum by (${sc.LABEL_SOURCE}) (rate(${sel(sc.METRIC_PROMPT_TOKENS_TOTAL)}[${W}]))`, `{{${sc.LABEL_SOURCE}}}`)],
    }),
    panel({
      title: 'Retrieval cost and context tokens',
      description: 'Retrieval, embedding and rerank spend (left) and the retrieved context put into prompts (tokens).',
      type: 'timeseries', unit: USD, w: 12,
      targets: [
        series(`sum by (${sc.LABEL_COMPONENT}) (rate(${sel(sc.METRIC_COST_USD_TOTAL, `${sc.LABEL_COMPONENT}=~"retrieval|embedding|rerank"`)}[${W}]))`, `{{${sc.LABEL_COMPONENT}}} USD/s`),
        series(`sum by (${sc.LABEL_WORKFLOW}) (rate(${sel(sc.METRIC_PROMPT_TOKENS_TOTAL, `${sc.LABEL_SOURCE}="context"`)}[${W}]))`, `{{${sc.LABEL_WORKFLOW}}} context tokens/s`),
      ],
    }),
    panel({
      title: 'Time to first token',
      description: 'p50 and p95 of streamed responses, by model.',
      type: 'timeseries', unit: 's', w: 12,
      targets: [
        series(`histogram_quantile(0.5, sum by (le, ${sc.LABEL_MODEL}) (rate(${sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS}_bucket[${W}])))`, `p50 {{${sc.LABEL_MODEL}}}`),
        series(`histogram_quantile(0.95, sum by (le, ${sc.LABEL_MODEL}) (rate(${sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS}_bucket[${W}])))`, `p95 {{${sc.LABEL_MODEL}}}`),
      ],
    }),
    panel({
      title: 'Unpriced calls',
      description: `Calls with no price, counted, never priced at zero: usage but no price for the model (add it to TOKENLEDGER_PRICES_FILE), or a model span whose instrumentation reported no usage (${sc.METRIC_UNKNOWN_USAGE_CALLS_TOTAL}, by producer).`,
      type: 'table', unit: 'short', w: 12,
      targets: [instantTable(`sum by (${sc.LABEL_PROVIDER}, ${sc.LABEL_MODEL}) (increase(${sc.METRIC_UNPRICED_CALLS_TOTAL}[${RANGE}])) > 0`)],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { Value: 'Calls' } } }],
    }),
  ],
});

const budgets = dashboard({
  uid: 'tokenledger-budgets',
  title: 'TokenLedger — budgets and forecast',
  description: 'Monthly budgets per tenant, feature or workflow, how much is used, and the month-end forecast.',
  tags: ['budget'],
  variables: [
    {
      type: 'query', name: 'scope', label: 'Scope', datasource: PROM,
      query: { query: `label_values(${sc.METRIC_BUDGET_USD}, ${sc.LABEL_SCOPE})`, refId: 'scope-values' },
      definition: `label_values(${sc.METRIC_BUDGET_USD}, ${sc.LABEL_SCOPE})`,
      includeAll: true, allValue: '.*', multi: true, refresh: 2, sort: 1, current: { text: ['All'], value: ['$__all'] },
    } as VariableModel,
  ],
  panels: [
    panel({
      title: 'Budget used',
      description: 'Month-to-date spend ÷ monthly budget.',
      type: 'bargauge', unit: 'percentunit', w: 12, h: 9, max: 1,
      targets: [{ expr: `max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_BUDGET_USED_RATIO}{${sc.LABEL_SCOPE}=~"$scope"})`, legendFormat: `{{${sc.LABEL_SCOPE}}} {{${sc.LABEL_NAME}}}`, instant: true, range: false }],
      options: { orientation: 'horizontal', displayMode: 'lcd', reduceOptions: { calcs: ['lastNotNull'], values: false } },
    }),
    panel({
      title: 'Budget burn over time',
      description: 'Budget used ratio; the dashed 100% line is the budget.',
      type: 'timeseries', unit: 'percentunit', w: 12, h: 9,
      targets: [series(`max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_BUDGET_USED_RATIO}{${sc.LABEL_SCOPE}=~"$scope"})`, `{{${sc.LABEL_SCOPE}}} {{${sc.LABEL_NAME}}}`)],
    }),
    panel({
      title: 'Month-end forecast against budget',
      description: 'Forecast month spend (month to date + trailing daily rate × days left) and the budget.',
      type: 'table', unit: USD, w: 24,
      targets: [
        instantTable(`max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_FORECAST_MONTH_USD}{${sc.LABEL_SCOPE}=~"$scope"})`),
        instantTable(`max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_BUDGET_USD}{${sc.LABEL_SCOPE}=~"$scope"})`),
      ],
      options: { showHeader: true },
      // One row per budget: the two instant tables joined on scope and name.
      transformations: [
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: { Time: true }, renameByName: { 'Value #A': 'Forecast', 'Value #B': 'Budget' } } },
      ],
    }),
  ],
});

const capacity = dashboard({
  uid: 'tokenledger-capacity',
  title: 'TokenLedger — accelerators and self-hosted capacity',
  description: 'How busy Inferentia/Trainium NeuronCores are, and what idle self-hosted capacity costs.',
  tags: ['capacity'],
  variables: [
    {
      type: 'query', name: 'instance_type', label: 'Instance type', datasource: PROM,
      query: { query: `label_values(${sc.METRIC_CAPACITY_COST_USD_TOTAL}, ${sc.LABEL_INSTANCE_TYPE})`, refId: 'instance-type-values' },
      definition: `label_values(${sc.METRIC_CAPACITY_COST_USD_TOTAL}, ${sc.LABEL_INSTANCE_TYPE})`,
      includeAll: true, allValue: '.*', multi: true, refresh: 2, sort: 1, current: { text: ['All'], value: ['$__all'] },
    } as VariableModel,
  ],
  panels: [
    panel({
      title: 'NeuronCore utilisation',
      description: 'Per instance, mean over its NeuronCores (neuron-monitor).',
      type: 'timeseries', unit: 'percentunit', w: 12, max: 1,
      targets: [series(`avg by (${sc.LABEL_INSTANCE_ID}) (${sc.NEURON_NEURONCORE_UTILIZATION_RATIO}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"})`, `{{${sc.LABEL_INSTANCE_ID}}}`)],
    }),
    panel({
      title: 'Idle share of capacity cost',
      description: 'Idle capacity cost ÷ capacity cost: what the instances cost while serving nothing.',
      type: 'stat', unit: 'percentunit', w: 12,
      targets: [{ expr: `sum(increase(${sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${RANGE}]))\n/ sum(increase(${sc.METRIC_CAPACITY_COST_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${RANGE}]))`, instant: true, range: false }],
      options: { reduceOptions: { calcs: ['lastNotNull'], values: false }, colorMode: 'value' },
    }),
    panel({
      title: 'Accelerator utilisation per instance',
      description: 'Mean accelerator utilisation of each self-hosted instance over the last settled interval (Neuron or NVIDIA, as the collector saw it).',
      type: 'timeseries', unit: 'percentunit', w: 12, max: 1,
      targets: [series(`max by (${sc.LABEL_INSTANCE_TYPE}, ${sc.LABEL_INSTANCE_ID}) (${sc.METRIC_CAPACITY_UTILIZATION_RATIO}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"})`, `{{${sc.LABEL_INSTANCE_TYPE}}} {{${sc.LABEL_INSTANCE_ID}}}`)],
    }),
    panel({
      title: 'Self-hosted against Bedrock on-demand',
      description: 'Capacity cost attributed to the requests served, and what the same tokens would have cost on the configured Bedrock model.',
      type: 'timeseries', unit: USD, w: 12,
      targets: [
        series(`sum by (${sc.LABEL_MODEL}) (rate(${sc.METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${W}]))`, 'self-hosted {{model}}'),
        series(`sum by (${sc.LABEL_MODEL}) (rate(${sc.METRIC_CAPACITY_BEDROCK_EQUIVALENT_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${W}]))`, 'on Bedrock {{model}}'),
      ],
    }),
    panel({
      title: 'Capacity and idle cost rate',
      description: 'USD per second of instance time, and the idle part, by instance type.',
      type: 'timeseries', unit: USD, w: 24,
      targets: [
        series(`sum by (${sc.LABEL_INSTANCE_TYPE}) (rate(${sc.METRIC_CAPACITY_COST_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${W}]))`, 'capacity {{instance_type}}'),
        series(`sum by (${sc.LABEL_INSTANCE_TYPE}) (rate(${sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL}{${sc.LABEL_INSTANCE_TYPE}=~"$instance_type"}[${W}]))`, 'idle {{instance_type}}'),
      ],
    }),
    panel({
      title: 'Savings Plans for the baseline',
      description: 'From the capacity ledger\'s hourly on-demand spend over the last 30 days: the baseline (10th percentile of hours), the commitment covering it at the configured discount, and what it would have saved per hour. Compute plans over every family with a rate (family "all"), EC2 Instance plans per family. Details: tokenledger report --savings-plans.',
      type: 'table', unit: USD, w: 24,
      targets: [
        instantTable(`max by (${sc.LABEL_PLAN}, ${sc.LABEL_FAMILY}) (${sc.METRIC_SAVINGS_PLAN_BASELINE_USD_PER_HOUR})`),
        instantTable(`max by (${sc.LABEL_PLAN}, ${sc.LABEL_FAMILY}) (${sc.METRIC_SAVINGS_PLAN_COMMITMENT_USD_PER_HOUR})`),
        instantTable(`max by (${sc.LABEL_PLAN}, ${sc.LABEL_FAMILY}) (${sc.METRIC_SAVINGS_PLAN_SAVING_USD_PER_HOUR})`),
      ],
      options: { showHeader: true },
      transformations: [
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: { Time: true }, renameByName: { 'Value #A': 'Baseline $/h', 'Value #B': 'Commitment $/h', 'Value #C': 'Saving $/h' } } },
      ],
    }),
  ],
});

const quota = dashboard({
  uid: 'tokenledger-quota',
  title: 'TokenLedger — Bedrock quota pressure, latency and throttles',
  description: 'Estimated tokens-per-minute quota usage per model and region (input + cache write + output × burndown rate) against the configured quotas, next to time to first token and throttling.',
  tags: ['quota'],
  variables: [],
  panels: [
    panel({
      title: 'Quota used (last minute)',
      description: 'Estimated tokens per minute ÷ the configured tokens-per-minute quota (TOKENLEDGER_QUOTAS), per model and region. Bedrock throttles at 100%; the alert fires at 80%.',
      type: 'timeseries', unit: 'percentunit', w: 8,
      targets: [series(`max by (${sc.LABEL_MODEL}, ${sc.LABEL_REGION}) (${sc.METRIC_QUOTA_USAGE_RATIO})`, `{{${sc.LABEL_MODEL}}} {{${sc.LABEL_REGION}}}`)],
    }),
    panel({
      title: 'Time to first token (p95)',
      description: '95th percentile of time to the first chunk of streamed responses, per model.',
      type: 'timeseries', unit: 's', w: 8,
      targets: [series(`histogram_quantile(0.95, sum by (le, ${sc.LABEL_MODEL}) (rate(${sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS}_bucket[${W}])))`, `{{${sc.LABEL_MODEL}}}`)],
    }),
    panel({
      title: 'Throttles',
      description: 'Per second: SDK attempts retried inside calls (kind=retry) and calls that failed throttled (kind=error), per model and region.',
      type: 'timeseries', unit: 'short', w: 8,
      targets: [series(`sum by (${sc.LABEL_MODEL}, ${sc.LABEL_REGION}, ${sc.LABEL_KIND}) (rate(${sc.METRIC_THROTTLES_TOTAL}[${W}]))`, `{{${sc.LABEL_MODEL}}} {{${sc.LABEL_REGION}}} {{${sc.LABEL_KIND}}}`)],
    }),
    panel({
      title: 'Quota tokens per minute against the quota',
      description: 'Tokens counted against the quota per minute (from the counter, over the rate window), and the configured quota.',
      type: 'timeseries', unit: 'short', w: 24,
      targets: [
        series(`60 * sum by (${sc.LABEL_MODEL}, ${sc.LABEL_REGION}) (rate(${sc.METRIC_QUOTA_TOKENS_TOTAL}[${W}]))`, 'used {{model}} {{region}}'),
        series(`max by (${sc.LABEL_MODEL}, ${sc.LABEL_REGION}) (${sc.METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE})`, 'quota {{model}} {{region}}'),
      ],
    }),
  ],
});

/** A CloudWatch metrics query (Grafana's builder mode): `metricName` summed, one series per dimension set. */
function cloudwatchPanel(o: { title: string; description: string; metricName: string; dimensions: string[]; unit: string; w: number }): Panel {
  return {
    type: 'timeseries',
    title: o.title,
    description: o.description,
    datasource: DATASOURCES.cloudwatch,
    targets: [{
      refId: 'A',
      datasource: DATASOURCES.cloudwatch,
      queryMode: 'Metrics',
      metricQueryType: 0,
      metricEditorMode: 0,
      region: 'default',
      namespace: '$namespace',
      metricName: o.metricName,
      dimensions: Object.fromEntries(o.dimensions.map((d) => [d, '*'])),
      matchExact: false,
      statistic: 'Sum',
      period: '',
      id: '',
      expression: '',
      label: o.dimensions.map((d) => `\${PROP('Dim.${d}')}`).join(' '),
    }],
    fieldConfig: { defaults: { unit: o.unit }, overrides: [] },
    options: {},
    gridPos: { x: 0, y: 0, w: o.w, h: 8 },
  };
}

const cloudwatch = dashboard({
  uid: 'tokenledger-cloudwatch',
  title: 'TokenLedger — CloudWatch',
  description: 'The roll-ups the collector puts in CloudWatch (TOKENLEDGER_CLOUDWATCH_NAMESPACE), for accounts that read cost there.',
  tags: ['cloudwatch'],
  variables: [{
    type: 'textbox', name: 'namespace', label: 'Namespace', query: 'TokenLedger',
    current: { text: 'TokenLedger', value: 'TokenLedger' },
  } as VariableModel],
  panels: [
    cloudwatchPanel({
      title: 'Cost by tenant and workflow', description: 'Sum of the cost datapoints per period.',
      metricName: sc.CLOUDWATCH_METRIC_COST_USD, dimensions: [sc.CLOUDWATCH_DIM_TENANT, sc.CLOUDWATCH_DIM_WORKFLOW], unit: USD, w: 12,
    }),
    cloudwatchPanel({
      title: 'Successful outcomes by workflow', description: 'Successes per period.',
      metricName: sc.CLOUDWATCH_METRIC_SUCCESSES, dimensions: [sc.CLOUDWATCH_DIM_TENANT, sc.CLOUDWATCH_DIM_WORKFLOW], unit: 'short', w: 12,
    }),
  ],
});

/** File name → dashboard. */
export const DASHBOARDS: Record<string, Dashboard> = {
  'tokenledger-cost.json': costPerOutcome,
  'tokenledger-budgets.json': budgets,
  'tokenledger-capacity.json': capacity,
  'tokenledger-cloudwatch.json': cloudwatch,
  'tokenledger-quota.json': quota,
};
