// A small Prometheus registry: counters, gauges and histograms with a per-metric cardinality limit
// (past it, new label sets fold into one `otel_metric_overflow="true"` series) and series that can be
// seeded from, and marked dirty for, the store, so totals survive restarts. What it exposes is always valid
// text: label values are bounded, and a counter or histogram refuses a negative or non-finite addition.
import { EXEMPLAR_TRACE_ID, LABEL_OVERFLOW, OVERFLOW_TRUE, REFUSED_NEGATIVE, REFUSED_NON_FINITE } from '@tokenledger/semconv';
import { boundedLabel, MAX_LABEL_LENGTH } from '../model/label-values.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type RefusedReason = typeof REFUSED_NEGATIVE | typeof REFUSED_NON_FINITE;

/** An OpenMetrics exemplar: the trace of one observation, shown beside a counter or histogram bucket. */
export interface Exemplar {
  traceId: string;
  value: number;
  /** Epoch ms. */
  tsMs: number;
}

export interface Series {
  /** Label pairs in the family's label order (or the single overflow pair). */
  labels: readonly (readonly [string, string])[];
  value: number;
  /** Histograms: per-bucket (non-cumulative) counts, the last for +Inf. */
  buckets?: number[];
  count?: number;
  /** The latest exemplar: one for a counter, one per bucket of a histogram (null where none yet). */
  exemplars?: (Exemplar | null)[];
}

/** A series' state as stored, to seed a registry after a restart. */
export interface SeriesState {
  value: number;
  buckets?: number[];
  count?: number;
  exemplars?: (Exemplar | null)[];
}

const OVERFLOW_KEY = '\u0001overflow';
const SEP = '\u0000';

/**
 * The map key of a label set. Values are joined by NUL; a set in which a value holds a NUL, or whose first value
 * starts with a character below 3 (the overflow key starts with one), is keyed by its JSON after \u0002 instead,
 * so two different label sets never share a key.
 */
function seriesKey(values: readonly string[]): string {
  const first = values.length > 0 ? values[0]!.charCodeAt(0) : NaN;
  let plain = !(first < 3);
  for (let i = 0; plain && i < values.length; i++) plain = !values[i]!.includes(SEP);
  if (!plain) return `\u0002${JSON.stringify(values)}`;
  return values.length === 1 ? values[0]! : values.join(SEP);
}

function bounded(values: readonly string[]): readonly string[] {
  for (const v of values) if (v.length > MAX_LABEL_LENGTH) return values.map(boundedLabel);
  return values;
}

export class MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly bucketBounds: readonly number[];
  readonly series = new Map<string, Series>();
  /** Series changed since the last takeDirty(); only for persisted families. */
  readonly dirty = new Map<string, Series>();
  /** Stored keys to delete (a series healed or re-keyed at restore); only for persisted families. */
  readonly deleted = new Set<string>();
  private readonly limit: number;
  private readonly persisted: boolean;
  private readonly refused: (metric: string, reason: RefusedReason) => void;
  /** While a store transaction is under way: the state each changed series had before it (undefined: it was new). */
  private journal?: Map<string, SeriesState | undefined>;

  constructor(
    name: string, help: string, type: MetricType, labelNames: readonly string[],
    opts: { limit: number; buckets?: readonly number[]; persisted: boolean; refused?: (metric: string, reason: RefusedReason) => void },
  ) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = labelNames;
    this.bucketBounds = opts.buckets ?? [];
    this.limit = opts.limit;
    this.persisted = opts.persisted;
    this.refused = opts.refused ?? (() => {});
  }

  /** Adds `delta`; a counter refuses a negative or non-finite one (and a sum that would stop being finite). */
  inc(values: readonly string[], delta = 1, exemplar?: Exemplar): void {
    if (delta === 0) return;
    if (this.type === 'counter' && !this.acceptable(delta)) return;
    const [key, s] = this.get(values);
    if (!Number.isFinite(s.value + delta)) return this.refused(this.name, REFUSED_NON_FINITE);
    s.value += delta;
    if (exemplar) s.exemplars = [exemplar];
    this.touch(key, s);
  }

  set(values: readonly string[], value: number): void {
    const [key, s] = this.get(values);
    s.value = value;
    this.touch(key, s);
  }

  /** Observes `v`; negative and non-finite values are refused (every histogram here is of a cost or a duration). */
  observe(values: readonly string[], v: number, exemplar?: Exemplar): void {
    if (!this.acceptable(v)) return;
    const [key, s] = this.get(values);
    if (!Number.isFinite(s.value + v)) return this.refused(this.name, REFUSED_NON_FINITE);
    let i = 0;
    while (i < this.bucketBounds.length && v > this.bucketBounds[i]!) i++;
    s.buckets![i]!++;
    if (exemplar) {
      s.exemplars = s.exemplars ? [...s.exemplars] : new Array<Exemplar | null>(s.buckets!.length).fill(null);
      s.exemplars[i] = exemplar;
    }
    s.count!++;
    s.value += v;
    this.touch(key, s);
  }

  /**
   * Seeds one stored series (its key as stored by takeDirty). A state that is not finite and non-negative (a store
   * written before these checks) is dropped: that series starts again at zero, a reset Prometheus handles. A series
   * whose labels are now bounded differently is re-keyed (merged into one already restored); the old key is deleted
   * from the store with the next write.
   */
  restore(key: string, labels: readonly (readonly [string, string])[], state: SeriesState): void {
    if (!validState(state)) {
      this.forget(key);
      return;
    }
    const isOverflow = key === OVERFLOW_KEY;
    const bound = isOverflow ? labels : labels.map(([k, v]) => [k, boundedLabel(v)] as const);
    const newKey = isOverflow ? key : seriesKey(bound.map(([, v]) => v));
    let s = this.series.get(newKey);
    if (!s) {
      s = this.create(bound);
      this.series.set(newKey, s);
    }
    s.value += state.value;
    if (s.buckets && state.buckets?.length === s.buckets.length) s.buckets = s.buckets.map((b, i) => b + state.buckets![i]!);
    if (s.count !== undefined) s.count += state.count ?? 0;
    if (state.exemplars && state.exemplars.length === (s.buckets?.length ?? 1)) s.exemplars = state.exemplars;
    if (newKey !== key) {
      this.forget(key);
      this.touch(newKey, s);
    }
  }

  /** Starts recording the state series had (persisted families only), so a failed store write can be undone. */
  begin(): void {
    if (this.persisted) this.journal = new Map();
  }

  /** Forgets the record: what changed is stored. */
  commit(): void {
    this.journal = undefined;
  }

  /** Puts every series changed since begin() back as it was. */
  rollback(): void {
    for (const [key, prior] of this.journal ?? []) {
      const s = this.series.get(key)!;
      if (prior === undefined) {
        this.series.delete(key);
        this.dirty.delete(key);
      } else {
        s.value = prior.value;
        s.buckets = prior.buckets;
        s.count = prior.count;
        s.exemplars = prior.exemplars;
      }
    }
    this.journal = undefined;
  }

  /** Marks series dirty again (or to be deleted again) whose write did not commit. */
  requeue(d: DirtySeries): void {
    if (!this.persisted) return;
    if (d.state === undefined) this.deleted.add(d.key);
    else {
      const s = this.series.get(d.key);
      if (s) this.dirty.set(d.key, s);
    }
  }

  /** Sum of values over all series (overflow included): what cardinality folding must not change. */
  total(): number {
    let t = 0;
    for (const s of this.series.values()) t += s.value;
    return t;
  }

  private acceptable(v: number): boolean {
    if (!Number.isFinite(v)) this.refused(this.name, REFUSED_NON_FINITE);
    else if (v < 0) this.refused(this.name, REFUSED_NEGATIVE);
    else return true;
    return false;
  }

  private get(raw: readonly string[]): [string, Series] {
    const values = bounded(raw);
    let key = seriesKey(values);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size - (this.series.has(OVERFLOW_KEY) ? 1 : 0) >= this.limit) {
        key = OVERFLOW_KEY;
        s = this.series.get(key);
        if (!s) this.series.set(key, (s = this.create([[LABEL_OVERFLOW, OVERFLOW_TRUE]], key)));
      } else {
        s = this.create(this.labelNames.map((n, i) => [n, values[i] ?? ''] as const), key);
        this.series.set(key, s);
      }
    } else if (this.journal && !this.journal.has(key)) {
      // Exemplar arrays are replaced, never changed in place: keeping the reference is enough.
      this.journal.set(key, { value: s.value, buckets: s.buckets && [...s.buckets], count: s.count, exemplars: s.exemplars });
    }
    return [key, s];
  }

  private create(labels: readonly (readonly [string, string])[], key?: string): Series {
    if (key !== undefined && this.journal && !this.journal.has(key)) this.journal.set(key, undefined);
    if (this.type !== 'histogram') return { labels, value: 0 };
    return { labels, value: 0, buckets: new Array<number>(this.bucketBounds.length + 1).fill(0), count: 0 };
  }

  private touch(key: string, s: Series): void {
    if (this.persisted) this.dirty.set(key, s);
  }

  private forget(key: string): void {
    if (this.persisted) this.deleted.add(key);
  }
}

function validState(s: SeriesState): boolean {
  const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  return ok(s.value) && (s.count === undefined || ok(s.count)) && (s.buckets === undefined || (Array.isArray(s.buckets) && s.buckets.every(ok)));
}

export interface DirtySeries {
  metric: string;
  key: string;
  labels: readonly (readonly [string, string])[];
  /** Undefined: delete the stored series. */
  state?: SeriesState;
}

export class Registry {
  private readonly families = new Map<string, MetricFamily>();
  private readonly gauges: { name: string; help: string; read: () => number }[] = [];
  private readonly refreshers: (() => void)[] = [];
  private readonly limit: number;
  private readonly refused?: (metric: string, reason: RefusedReason) => void;

  /** `refused` is told of every addition a metric refuses. */
  constructor(cardinalityLimit: number, refused?: (metric: string, reason: RefusedReason) => void) {
    this.limit = cardinalityLimit;
    this.refused = refused;
  }

  /** Label sets a family holds before the overflow series. */
  get cardinalityLimit(): number {
    return this.limit;
  }

  counter(name: string, help: string, labelNames: readonly string[], persisted = false): MetricFamily {
    return this.add(new MetricFamily(name, help, 'counter', labelNames, { limit: this.limit, persisted, refused: this.refused }));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[], persisted = false): MetricFamily {
    return this.add(new MetricFamily(name, help, 'histogram', labelNames, { limit: this.limit, buckets, persisted, refused: this.refused }));
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

  /**
   * Runs `write` (a store transaction) with the persisted series changed by `change` and not yet stored: when it
   * throws, every series is put back as it was before `change` and marked dirty again, and the error is rethrown.
   */
  transact<T>(change: () => void, write: (dirty: DirtySeries[]) => T): T {
    const families = [...this.families.values()];
    for (const f of families) f.begin();
    let dirty: DirtySeries[] = [];
    try {
      change();
      dirty = this.takeDirty();
      const out = write(dirty);
      for (const f of families) f.commit();
      return out;
    } catch (err) {
      for (const f of families) f.rollback();
      for (const d of dirty) this.families.get(d.metric)?.requeue(d);
      throw err;
    }
  }

  /** Series of persisted families changed (or to be deleted) since the last call. */
  takeDirty(): DirtySeries[] {
    const out: DirtySeries[] = [];
    for (const f of this.families.values()) {
      for (const key of f.deleted) out.push({ metric: f.name, key, labels: [] });
      for (const [key, s] of f.dirty) {
        out.push({
          metric: f.name, key, labels: s.labels,
          state: { value: s.value, buckets: s.buckets && [...s.buckets], count: s.count, ...(s.exemplars && { exemplars: s.exemplars }) },
        });
      }
      f.deleted.clear();
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

  /**
   * OpenMetrics text 1.0.0 (what Prometheus asks for first): the same samples, plus each counter's and
   * histogram bucket's latest exemplar with its trace id.
   */
  exposeOpenMetrics(): string {
    for (const refresh of this.refreshers) refresh();
    const lines: string[] = [];
    for (const g of this.gauges) {
      lines.push(`# TYPE ${g.name} gauge`, `# HELP ${g.name} ${omHelp(g.help)}`, `${g.name} ${num(g.read())}`);
    }
    for (const f of this.families.values()) {
      // A counter's family is named without _total; its sample carries it.
      const family = f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
      lines.push(`# TYPE ${family} ${f.type}`, `# HELP ${family} ${omHelp(f.help)}`);
      for (const s of f.series.values()) {
        const l = labelText(s.labels);
        if (f.type === 'gauge') {
          lines.push(`${family}${l ? `{${l}}` : ''} ${num(s.value)}`);
          continue;
        }
        if (f.type === 'counter') {
          lines.push(`${family}_total${l ? `{${l}}` : ''} ${num(s.value)}${exemplarText(s.exemplars?.[0])}`);
          continue;
        }
        let cumulative = 0;
        const sep = l ? ',' : '';
        f.bucketBounds.forEach((b, i) => {
          cumulative += s.buckets![i]!;
          lines.push(`${family}_bucket{${l}${sep}le="${num(b)}"} ${cumulative}${exemplarText(s.exemplars?.[i])}`);
        });
        lines.push(`${family}_bucket{${l}${sep}le="+Inf"} ${s.count}${exemplarText(s.exemplars?.[f.bucketBounds.length])}`);
        lines.push(`${family}_count${l ? `{${l}}` : ''} ${s.count}`, `${family}_sum${l ? `{${l}}` : ''} ${num(s.value)}`);
      }
    }
    lines.push('# EOF', '');
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

function exemplarText(e: Exemplar | null | undefined): string {
  return e ? ` # {${EXEMPLAR_TRACE_ID}="${escapeLabelValue(e.traceId)}"} ${num(e.value)} ${(e.tsMs / 1000).toFixed(3)}` : '';
}

function omHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function num(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
