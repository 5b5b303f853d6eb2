// Grafana-managed alert rules (file provisioning format), from the same contract names as the dashboards.
import * as sc from '@tokenledger/semconv';
import { DATASOURCES } from './dashboards.ts';

export interface AlertRule {
  uid: string;
  title: string;
  condition: string;
  data: Record<string, unknown>[];
  for: string;
  noDataState: 'OK' | 'NoData' | 'Alerting';
  execErrState: 'Error' | 'Alerting' | 'OK';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The ratio of cost per successful outcome over `short` to the same over `long`, per workflow. */
function costPerSuccessRatio(short: string, long: string): string {
  const cps = (w: string) =>
    `(sum by (${sc.LABEL_WORKFLOW}) (rate(${sc.METRIC_OUTCOME_COST_USD}_sum[${w}])) / sum by (${sc.LABEL_WORKFLOW}) (rate(${sc.METRIC_OUTCOMES_TOTAL}{${sc.LABEL_SUCCESS}="${sc.SUCCESS_TRUE}"}[${w}])))`;
  return `${cps(short)}\n/ ${cps(long)}`;
}

/** A Prometheus query A, reduced to its last value, compared with `op` to `threshold`. */
function rule(o: { uid: string; title: string; expr: string; op: 'gt' | 'lt'; threshold: number; for: string; severity: string; summary: string; description: string }): AlertRule {
  return {
    uid: o.uid,
    title: o.title,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: 600, to: 0 },
        datasourceUid: DATASOURCES.prometheus.uid,
        model: { refId: 'A', expr: o.expr, instant: true, range: false, intervalMs: 60000, maxDataPoints: 43200 },
      },
      {
        refId: 'C',
        datasourceUid: '__expr__',
        model: { refId: 'C', type: 'threshold', expression: 'A', conditions: [{ evaluator: { type: o.op, params: [o.threshold] } }] },
      },
    ],
    for: o.for,
    noDataState: 'OK',
    execErrState: 'Error',
    labels: { severity: o.severity, team: 'finops' },
    annotations: { summary: o.summary, description: o.description },
  };
}

export const ALERT_RULES: AlertRule[] = [
  rule({
    uid: 'tokenledger-budget-burn',
    title: 'Budget over 80% used',
    expr: `max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_BUDGET_USED_RATIO})`,
    op: 'gt', threshold: 0.8, for: '5m', severity: 'warning',
    summary: 'Budget {{ $labels.scope }}={{ $labels.name }} is {{ humanizePercentage $values.A.Value }} used',
    description: 'Month-to-date spend has passed 80% of the monthly budget.',
  }),
  rule({
    uid: 'tokenledger-forecast-over-budget',
    title: 'Month-end forecast over budget',
    expr: `max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_FORECAST_MONTH_USD})\n/ max by (${sc.LABEL_SCOPE}, ${sc.LABEL_NAME}) (${sc.METRIC_BUDGET_USD})`,
    op: 'gt', threshold: 1, for: '30m', severity: 'warning',
    summary: 'Forecast for {{ $labels.scope }}={{ $labels.name }} is {{ humanizePercentage $values.A.Value }} of its budget',
    description: 'At the recent rate, the month ends over budget.',
  }),
  rule({
    uid: 'tokenledger-cost-per-outcome-regression',
    title: 'Cost per successful outcome up 25%',
    expr: costPerSuccessRatio('1h', '7d'),
    op: 'gt', threshold: 1.25, for: '15m', severity: 'warning',
    summary: 'Workflow {{ $labels.workflow }}: cost per successful outcome is {{ humanize $values.A.Value }}× its 7-day level',
    description: 'Cost per successful outcome over the last hour against the last 7 days (a model, prompt, retry or success-rate change).',
  }),
  rule({
    uid: 'tokenledger-quota-pressure',
    title: 'Bedrock quota over 80% used',
    expr: `max by (${sc.LABEL_MODEL}, ${sc.LABEL_REGION}) (${sc.METRIC_QUOTA_USAGE_RATIO})`,
    op: 'gt', threshold: 0.8, for: '2m', severity: 'warning',
    summary: '{{ $labels.model }} in {{ $labels.region }} uses {{ humanizePercentage $values.A.Value }} of its tokens-per-minute quota',
    description: 'Estimated tokens-per-minute usage (input + cache write + output × burndown rate) has stayed over 80% of the configured quota: Bedrock throttles at 100%.',
  }),
];

/** The provisioning file grafana/provisioning/alerting/tokenledger.yaml. */
export function alertProvisioning(): Record<string, unknown> {
  return {
    apiVersion: 1,
    groups: [{ orgId: 1, name: 'tokenledger-cost', folder: 'TokenLedger', interval: '1m', rules: ALERT_RULES }],
  };
}
