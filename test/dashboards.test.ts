// The Grafana dashboards, alert rules and provisioning, checked statically: generated JSON is current and
// typed for the pinned Grafana (grafana/dashboards.ts is typed with @grafana/schema of the same version),
// every datasource exists, variables, units and links are set. test/stack-prometheus.test.ts runs the queries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDashboard } from '@grafana/schema';
import * as sc from '@tokenledger/semconv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CloudWatchEncoder } from '../collector/src/cloudwatch/encode.ts';
import { Collector } from '../collector/src/collector.ts';
import { cloudWatchConfigFromEnv } from '../collector/src/config/cloudwatch.ts';
import type { FinalisedTrace } from '../collector/src/rollup/observations.ts';
import { FakeClock, testConfig, withHooks } from '../collector/test/helpers.ts';
import { generatedFiles } from '../grafana/generate.ts';
import { toSpanRecords, workload } from './workload.ts';
import { alertProvisioning, alertQueries, dashboards, datasourceProvisioning, grafanaDir, panelQueries, referencedDatasourceUids } from './grafana-queries.ts';

type Json = Record<string, any>;
const repo = join(import.meta.dirname, '..');
const cost = dashboards()['tokenledger-cost.json']!;

describe('Grafana dashboards', () => {
  it('the committed JSON and alert file are what `npm run dashboards` generates', () => {
    for (const [path, text] of Object.entries(generatedFiles())) {
      expect(readFileSync(join(grafanaDir, path), 'utf8'), `grafana/${path} is stale: run npm run dashboards`).toBe(text);
    }
  });

  it('are for the pinned Grafana: its schemaVersion, unique uids and panel ids, panels inside the 24-column grid', () => {
    const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as Json;
    const schemaPkg = JSON.parse(readFileSync(join(repo, 'node_modules/@grafana/schema/package.json'), 'utf8')) as Json;
    expect(compose.services.grafana.image).toBe(`grafana/grafana:${schemaPkg.version}`);
    const all = Object.values(dashboards());
    expect(all.length).toBe(5);
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      expect(d.schemaVersion).toBe(defaultDashboard.schemaVersion);
      const ids = (d.panels as Json[]).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of d.panels as Json[]) {
        const g = p.gridPos;
        expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${p.title} overlaps`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        expect(p.fieldConfig.defaults.unit, `${p.title}: unit`).toBeTruthy();
      }
    }
  });

  it('every datasource uid in dashboards and alert rules is provisioned', () => {
    const provisioned = new Set((datasourceProvisioning().datasources as Json[]).map((d) => d.uid as string));
    expect([...provisioned].sort()).toEqual(['tokenledger-cloudwatch', 'tokenledger-jaeger', 'tokenledger-prometheus']);
    const used = referencedDatasourceUids([dashboards(), alertProvisioning()]);
    used.delete('__expr__'); // Grafana's server-side expressions, built in
    expect(used.size).toBeGreaterThanOrEqual(2);
    for (const uid of used) expect(provisioned, uid).toContain(uid);
    expect(referencedDatasourceUids({ datasource: { uid: 'x' }, links: [{ internal: { datasourceUid: 'y' } }] })).toEqual(new Set(['x', 'y']));
  });

  it('the cost dashboard filters by tenant, feature and workflow variables', () => {
    const vars = (cost.templating.list as Json[]).map((v) => v.name);
    expect(vars).toEqual(expect.arrayContaining(['tenant', 'feature', 'workflow']));
    for (const v of (cost.templating.list as Json[]).filter((x) => x.type === 'query')) {
      expect(v.includeAll && v.multi && v.allValue === '.*', v.name).toBe(true);
    }
    for (const p of cost.panels as Json[]) {
      for (const t of p.targets as Json[]) {
        // Metrics labelled by attribution must be filtered by it (TTFT and unpriced calls have no such labels).
        if (/tokenledger_(cost|tokens|outcome|outcomes|retry|cache_savings|prompt)_/.test(t.expr)) {
          expect(t.expr, p.title).toContain('tenant=~"$tenant", feature=~"$feature", workflow=~"$workflow"');
        }
      }
    }
  });

  it('uses the design\'s cost-per-outcome formula and sets units: USD, tokens, seconds', () => {
    const byTitle = Object.fromEntries((cost.panels as Json[]).map((p) => [p.title, p]));
    const cps = byTitle['Cost per successful outcome by workflow and tenant'];
    expect(cps.targets[0].expr).toMatch(/sum by \(workflow, tenant\) \(rate\(tokenledger_outcome_cost_usd_sum\{.*\}\[\$__range\]\)\)\n\/ sum by \(workflow, tenant\) \(rate\(tokenledger_outcomes_total\{.*success="true"\}\[\$__range\]\)\)/);
    expect(cps.fieldConfig.defaults.unit).toBe('currencyUSD');
    expect(byTitle['Tokens: input, output and cache'].fieldConfig.defaults.unit).toBe('short');
    expect(byTitle['Time to first token'].fieldConfig.defaults.unit).toBe('s');
    expect(byTitle['Time to first token'].targets[0].expr).toMatch(/^histogram_quantile\(0\.5, .*_bucket/);
    for (const p of Object.values(dashboards()).flatMap((d) => d.panels as Json[])) {
      if (/usd/.test(p.targets[0].expr) && !/\n\//.test(p.targets[0].expr) && !/used_ratio/.test(p.targets[0].expr)) {
        expect(p.fieldConfig.defaults.unit, p.title).toBe('currencyUSD');
      }
    }
  });

  it('covers every metric of the contract table, budgets, forecast, prompt sources and capacity', () => {
    const text = [...panelQueries(), ...alertQueries()].map((q) => q.expr).join('\n');
    for (const m of [
      sc.METRIC_COST_USD_TOTAL, sc.METRIC_TOKENS_TOTAL, sc.METRIC_OUTCOMES_TOTAL, sc.METRIC_OUTCOME_COST_USD,
      sc.METRIC_RETRY_COST_USD_TOTAL, sc.METRIC_CACHE_SAVINGS_USD_TOTAL, sc.METRIC_UNPRICED_CALLS_TOTAL,
      sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS, sc.METRIC_BUDGET_USED_RATIO, sc.METRIC_BUDGET_USD, sc.METRIC_FORECAST_MONTH_USD,
      sc.METRIC_PROMPT_TOKENS_TOTAL, sc.METRIC_CAPACITY_COST_USD_TOTAL, sc.METRIC_IDLE_CAPACITY_COST_USD_TOTAL,
      sc.NEURON_NEURONCORE_UTILIZATION_RATIO, sc.METRIC_QUOTA_USAGE_RATIO, sc.METRIC_QUOTA_TOKENS_TOTAL, sc.METRIC_QUOTA_LIMIT_TOKENS_PER_MINUTE,
      sc.METRIC_THROTTLES_TOTAL, sc.METRIC_SAVINGS_PLAN_BASELINE_USD_PER_HOUR, sc.METRIC_SAVINGS_PLAN_COMMITMENT_USD_PER_HOUR, sc.METRIC_SAVINGS_PLAN_SAVING_USD_PER_HOUR,
    ]) {
      expect(text, m).toContain(m);
    }
  });

  it('puts quota pressure next to time to first token and throttles', () => {
    const quota = dashboards()['tokenledger-quota.json']!;
    const row = (quota.panels as Json[]).filter((p) => p.gridPos.y === 0).map((p) => p.targets[0].expr as string);
    expect(row.map((e) => [sc.METRIC_QUOTA_USAGE_RATIO, sc.METRIC_TIME_TO_FIRST_TOKEN_SECONDS, sc.METRIC_THROTTLES_TOTAL].findIndex((m) => e.includes(m)))).toEqual([0, 1, 2]);
  });

  it('links a workflow to its traces in Jaeger', () => {
    const linked = (cost.panels as Json[]).filter((p) => p.fieldConfig.defaults.links?.length);
    expect(linked.length).toBeGreaterThanOrEqual(2);
    for (const p of linked) {
      const internal = p.fieldConfig.defaults.links[0].internal;
      expect(internal.datasourceUid).toBe('tokenledger-jaeger');
      expect(internal.query.queryType).toBe('search');
      expect(internal.query.tags).toMatch(/^tokenledger\.workflow=\$\{__(data\.fields|field\.labels)\.workflow\}$/);
    }
  });
});

describe('CloudWatch dashboard', () => {
  it('asks for metrics and dimensions the CloudWatch export writes for the workload (default dimensions)', async () => {
    const clock = new FakeClock();
    const finalised: FinalisedTrace[] = [];
    const collector = new Collector({ config: testConfig({ TOKENLEDGER_TRACE_IDLE_MS: '100' }), clock, components: withHooks({ onFinalised: (batch) => finalised.push(...batch) }) });
    collector.recover();
    await collector.sink.accept(toSpanRecords(workload(1), clock.ms));
    clock.advance(1000);
    collector.finaliser.tick();
    await collector.close();
    const cw = cloudWatchConfigFromEnv({ TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedger' })!;
    const encoder = new CloudWatchEncoder(cw.dimensions, cw.metrics);
    const written = finalised.flatMap((f) => encoder.encode(f.observations));
    expect(written.length).toBeGreaterThan(0);
    const board = dashboards()['tokenledger-cloudwatch.json']!;
    expect(board.templating.list[0].query).toBe(cw.namespace);
    for (const p of board.panels as Json[]) {
      const t = p.targets[0];
      expect(t.datasource.uid).toBe('tokenledger-cloudwatch');
      const wanted = Object.keys(t.dimensions);
      // matchExact false: a series matches when it has (at least) the dimensions asked for.
      const hits = written.filter((o) => o.metric === t.metricName && wanted.every((d) => o.dims.some(([k]) => k === d)));
      expect(hits.length, `${p.title}: ${t.metricName} by ${wanted.join(', ')}`).toBeGreaterThan(0);
    }
  });
});

describe('Grafana provisioning', () => {
  it('alert rules: budget burn, forecast over budget, cost-per-outcome regression, quota pressure, each a query and a threshold', () => {
    const rules = (alertProvisioning().groups as Json[]).flatMap((g) => g.rules as Json[]);
    expect(rules.map((r) => r.uid)).toEqual(['tokenledger-budget-burn', 'tokenledger-forecast-over-budget', 'tokenledger-cost-per-outcome-regression', 'tokenledger-quota-pressure']);
    // Quota pressure warns before throttling starts: below 100% of the quota.
    const quota = rules.find((r) => r.uid === 'tokenledger-quota-pressure')!;
    expect(quota.data.find((d: Json) => d.refId === 'C').model.conditions[0].evaluator).toEqual({ type: 'gt', params: [0.8] });
    expect(quota.data.find((d: Json) => d.refId === 'A').model.expr).toContain(sc.METRIC_QUOTA_USAGE_RATIO);
    for (const r of rules) {
      const refIds = (r.data as Json[]).map((d) => d.refId);
      expect(refIds).toContain(r.condition);
      const cond = (r.data as Json[]).find((d) => d.refId === r.condition)!;
      expect(cond.model.type).toBe('threshold');
      expect(refIds).toContain(cond.model.expression);
      // Provisioning interpolates $VARS in labels: none may contain a `$`.
      expect(JSON.stringify(r.labels)).not.toContain('$');
    }
  });

  it('the dashboard provider reads the folder docker-compose.yml mounts the JSON into', () => {
    const provider = parse(readFileSync(join(grafanaDir, 'provisioning/dashboards/tokenledger.yaml'), 'utf8')) as Json;
    const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as Json;
    const mounts = compose.services.grafana.volumes as string[];
    expect(mounts).toContain(`./grafana/dashboards:${provider.providers[0].options.path}:ro`);
    expect(mounts).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});
