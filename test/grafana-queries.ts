// Reading the generated Grafana files back: every PromQL query of every panel and alert rule, with the
// dashboard variables substituted the way Grafana would for "All", and every datasource uid referenced.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const grafanaDir = join(import.meta.dirname, '..', 'grafana');

type Json = Record<string, any>;

export interface Query {
  where: string;
  expr: string;
}

export function dashboards(): Record<string, Json> {
  const dir = join(grafanaDir, 'dashboards');
  return Object.fromEntries(
    readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json]),
  );
}

export function alertProvisioning(): Json {
  return parse(readFileSync(join(grafanaDir, 'provisioning', 'alerting', 'tokenledger.yaml'), 'utf8')) as Json;
}

export function datasourceProvisioning(): Json {
  return parse(readFileSync(join(grafanaDir, 'provisioning', 'datasources', 'tokenledger.yaml'), 'utf8')) as Json;
}

/**
 * A Grafana expression as Prometheus gets it: multi-value variables with "All" become their allValue
 * (`.*`), `$__rate_interval` and `$__range` become windows that cover a short test's data.
 */
export function substitute(expr: string, vars: Record<string, string> = {}): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '10m')
    .replace(/\$(\w+)/g, (_m, name: string) => vars[name] ?? '.*');
}

/** The PromQL of every Prometheus target of every panel. */
export function panelQueries(): Query[] {
  const out: Query[] = [];
  for (const [file, d] of Object.entries(dashboards())) {
    for (const p of d.panels as Json[]) {
      for (const t of p.targets as Json[]) {
        if (t.datasource?.type === 'prometheus') out.push({ where: `${file} / ${p.title} / ${t.refId}`, expr: t.expr as string });
      }
    }
  }
  return out;
}

export function alertQueries(): Query[] {
  const out: Query[] = [];
  for (const g of alertProvisioning().groups as Json[]) {
    for (const r of g.rules as Json[]) {
      for (const d of r.data as Json[]) if (d.model.expr) out.push({ where: `alert ${r.uid} / ${d.refId}`, expr: d.model.expr as string });
    }
  }
  return out;
}

/** Every datasource uid a dashboard or alert rule names (panels, targets, variables, data links). */
export function referencedDatasourceUids(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) referencedDatasourceUids(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource' && v && typeof v === 'object' && typeof (v as Json).uid === 'string') out.add((v as Json).uid);
      else if (k === 'datasourceUid' && typeof v === 'string') out.add(v);
      else referencedDatasourceUids(v, out);
    }
  }
  return out;
}
