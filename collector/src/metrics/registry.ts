// A small Prometheus registry: counters, gauges and histograms with a per-metric cardinality limit
// (past it, new label sets fold into one `otel_metric_overflow="true"` series) and series that can be
// seeded from, and marked dirty for, the store, so totals survive restarts.
import { LABEL_OVERFLOW, OVERFLOW_TRUE } from '@tokenledger/semconv';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface Series {
  /** Label pairs in the family's label order (or the single overflow pair). */
  labels: readonly (readonly [string, string])[];
  value: number;
  /** Histograms: per-bucket (non-cumulative) counts, the last for +Inf. */
  buckets?: number[];
  count?: number;
}

/** A series' state as stored, to seed a registry after a restart. */
export interface SeriesState {
  value: number;
  buckets?: number[];
  count?: number;
}

const OVERFLOW_KEY = '\u0001overflow';
const SEP = '\u0000';

export class MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly bucketBounds: readonly number[];
  readonly series = new Map<string, Series>();
  /** Series changed since the last takeDirty(); only for persisted families. */
  readonly dirty = new Map<string, Series>();
  private readonly limit: number;
  private readonly persisted: boolean;

  constructor(name: string, help: string, type: MetricType, labelNames: readonly string[], opts: { limit: number; buckets?: readonly number[]; persisted: boolean }) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = labelNames;
    this.bucketBounds = opts.buckets ?? [];
    this.limit = opts.limit;
    this.persisted = opts.persisted;
  }

  inc(values: readonly string[], delta = 1): void {
    if (delta === 0) return;
    const [key, s] = this.get(values);
    s.value += delta;
    this.touch(key, s);
  }

  set(values: readonly string[], value: number): void {
    const [key, s] = this.get(values);
    s.value = value;
    this.touch(key, s);
  }

  observe(values: readonly string[], v: number): void {
    const [key, s] = this.get(values);
    let i = 0;
    while (i < this.bucketBounds.length && v > this.bucketBounds[i]!) i++;
    s.buckets![i]!++;
    s.count!++;
    s.value += v;
    this.touch(key, s);
  }

  /** Seeds one stored series (its key as stored by takeDirty). */
  restore(key: string, labels: readonly (readonly [string, string])[], state: SeriesState): void {
    const s = this.create(labels);
    s.value = state.value;
    if (s.buckets && state.buckets?.length === s.buckets.length) s.buckets = [...state.buckets];
    if (s.count !== undefined) s.count = state.count ?? 0;
    this.series.set(key, s);
  }

  /** Sum of values over all series (overflow included): what cardinality folding must not change. */
  total(): number {
    let t = 0;
    for (const s of this.series.values()) t += s.value;
    return t;
  }

  private get(values: readonly string[]): [string, Series] {
    const key = values.length === 1 ? values[0]! : values.join(SEP);
    let s = this.series.get(key);
    if (s) return [key, s];
    if (this.series.size - (this.series.has(OVERFLOW_KEY) ? 1 : 0) >= this.limit) {
      s = this.series.get(OVERFLOW_KEY);
      if (!s) this.series.set(OVERFLOW_KEY, (s = this.create([[LABEL_OVERFLOW, OVERFLOW_TRUE]])));
      return [OVERFLOW_KEY, s];
    }
    s = this.create(this.labelNames.map((n, i) => [n, values[i] ?? ''] as const));
    this.series.set(key, s);
    return [key, s];
  }

  private create(labels: readonly (readonly [string, string])[]): Series {
    if (this.type !== 'histogram') return { labels, value: 0 };
    return { labels, value: 0, buckets: new Array<number>(this.bucketBounds.length + 1).fill(0), count: 0 };
  }

  private touch(key: string, s: Series): void {
    if (this.persisted) this.dirty.set(key, s);
  }
}

export interface DirtySeries {
  metric: string;
  key: string;
  labels: readonly (readonly [string, string])[];
  state: SeriesState;
}

export class Registry {
  private readonly families = new Map<string, MetricFamily>();
  private readonly gauges: { name: string; help: string; read: () => number }[] = [];
  private readonly refreshers: (() => void)[] = [];
  private readonly limit: number;

  constructor(cardinalityLimit: number) {
    this.limit = cardinalityLimit;
  }

  counter(name: string, help: string, labelNames: readonly string[], persisted = false): MetricFamily {
    return this.add(new MetricFamily(name, help, 'counter', labelNames, { limit: this.limit, persisted }));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[], persisted = false): MetricFamily {
    return this.add(new MetricFamily(name, help, 'histogram', labelNames, { limit: this.limit, buckets, persisted }));
  }

  /** A labelled gauge whose series its owner set()s (not persisted). */
  gaugeFamily(name: string, help: string, labelNames: readonly string[]): MetricFamily {
    return this.add(new MetricFamily(name, help, 'gauge', labelNames, { limit: this.limit, persisted: false }));
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push({ name, help, read });
  }

  /** Runs `refresh` before each exposition: gauge families computed when scraped. */
  beforeExpose(refresh: () => void): void {
    this.refreshers.push(refresh);
  }

  family(name: string): MetricFamily | undefined {
    return this.families.get(name);
  }

  /** Every metric registered, in exposition order (the generated metrics reference reads this). */
  describe(): { name: string; help: string; type: MetricType; labelNames: readonly string[] }[] {
    return [
      ...this.gauges.map((g) => ({ name: g.name, help: g.help, type: 'gauge' as const, labelNames: [] })),
      ...[...this.families.values()].map((f) => ({ name: f.name, help: f.help, type: f.type, labelNames: f.labelNames })),
    ];
  }

  /** Series of persisted families changed since the last call. */
  takeDirty(): DirtySeries[] {
    const out: DirtySeries[] = [];
    for (const f of this.families.values()) {
      for (const [key, s] of f.dirty) {
        out.push({ metric: f.name, key, labels: s.labels, state: { value: s.value, buckets: s.buckets, count: s.count } });
      }
      f.dirty.clear();
    }
    return out;
  }

  /** Prometheus text exposition format 0.0.4. */
  expose(): string {
    for (const refresh of this.refreshers) refresh();
    const lines: string[] = [];
    for (const g of this.gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${num(g.read())}`);
    }
    for (const f of this.families.values()) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const s of f.series.values()) {
        const l = labelText(s.labels);
        if (f.type !== 'histogram') {
          lines.push(`${f.name}${l ? `{${l}}` : ''} ${num(s.value)}`);
          continue;
        }
        let cumulative = 0;
        const sep = l ? ',' : '';
        f.bucketBounds.forEach((b, i) => {
          cumulative += s.buckets![i]!;
          lines.push(`${f.name}_bucket{${l}${sep}le="${num(b)}"} ${cumulative}`);
        });
        lines.push(`${f.name}_bucket{${l}${sep}le="+Inf"} ${s.count}`);
        lines.push(`${f.name}_sum${l ? `{${l}}` : ''} ${num(s.value)}`, `${f.name}_count${l ? `{${l}}` : ''} ${s.count}`);
      }
    }
    lines.push('');
    return lines.join('\n');
  }

  private add(f: MetricFamily): MetricFamily {
    this.families.set(f.name, f);
    return f;
  }
}

function labelText(labels: readonly (readonly [string, string])[]): string {
  return labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function num(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
