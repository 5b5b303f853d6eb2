import { describe, expect, it } from 'vitest';
import { Registry } from '../src/metrics/registry.ts';

describe('metrics registry', () => {
  it('writes Prometheus text: escaped labels, cumulative buckets, sum and count', () => {
    const r = new Registry(10);
    const c = r.counter('x_total', 'help', ['a']);
    c.inc(['quote " back \\ nl \n'], 2.5);
    const h = r.histogram('h_seconds', 'help', ['m'], [0.1, 1]);
    for (const v of [0.05, 0.5, 0.7, 3]) h.observe(['m1'], v);
    r.gauge('g', 'help', () => 7);
    expect(r.expose()).toBe([
      '# HELP g help', '# TYPE g gauge', 'g 7',
      '# HELP x_total help', '# TYPE x_total counter', 'x_total{a="quote \\" back \\\\ nl \\n"} 2.5',
      '# HELP h_seconds help', '# TYPE h_seconds histogram',
      'h_seconds_bucket{m="m1",le="0.1"} 1', 'h_seconds_bucket{m="m1",le="1"} 3', 'h_seconds_bucket{m="m1",le="+Inf"} 4',
      'h_seconds_sum{m="m1"} 4.25', 'h_seconds_count{m="m1"} 4', '',
    ].join('\n'));
  });

  it('hands changed persisted series to the store and restores them', () => {
    const a = new Registry(10);
    const h = a.histogram('h', 'help', ['m'], [1], true);
    h.observe(['m1'], 0.5);
    h.observe(['m1'], 2);
    const dirty = a.takeDirty();
    expect(dirty).toHaveLength(1);
    expect(a.takeDirty()).toEqual([]);
    const b = new Registry(10);
    const h2 = b.histogram('h', 'help', ['m'], [1], true);
    for (const d of dirty) h2.restore(d.key, d.labels, d.state!);
    h2.observe(['m1'], 0.1);
    expect(b.expose()).toContain('h_bucket{m="m1",le="1"} 2\nh_bucket{m="m1",le="+Inf"} 3\nh_sum{m="m1"} 2.6\nh_count{m="m1"} 3');
  });
});

describe('metrics registry against bad input', () => {
  it('refuses negative and non-finite additions to counters and histograms, and says so', () => {
    const refused: string[] = [];
    const r = new Registry(10, (metric, reason) => refused.push(`${metric} ${reason}`));
    const c = r.counter('c_total', 'help', ['a']);
    const h = r.histogram('h', 'help', ['a'], [1]);
    c.inc(['x'], 5);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      c.inc(['x'], bad);
      h.observe(['x'], bad);
    }
    c.inc(['x'], Number.MAX_VALUE);
    c.inc(['x'], Number.MAX_VALUE); // the sum would be +Inf
    expect(c.series.get('x')!.value).toBe(5 + Number.MAX_VALUE);
    expect(h.series.size).toBe(0);
    expect(refused).toEqual(['c_total negative', 'h negative', 'c_total non_finite', 'h non_finite', 'c_total non_finite', 'h non_finite', 'c_total non_finite']);
    expect(r.expose()).not.toMatch(/(NaN|Inf|null)$/m);
  });

  it('bounds label values and keeps label sets apart that differ only around a NUL', () => {
    const r = new Registry(10);
    const c = r.counter('c_total', 'help', ['a', 'b']);
    c.inc(['x\u0000y', 'z']);
    c.inc(['x', 'y\u0000z']);
    c.inc(['\u0001overflow']); // a value spelt like the overflow key is a series of its own
    c.inc([`${'v'.repeat(5000)}1`, 'w']);
    c.inc([`${'v'.repeat(5000)}2`, 'w']);
    expect(c.series.size).toBe(5);
    for (const s of c.series.values()) for (const [, v] of s.labels) expect(v.length).toBeLessThanOrEqual(256);
  });

  it('heals stored series: drops non-finite states, re-keys over-long labels into one, and deletes what it replaced', () => {
    const stored = new Registry(10);
    const long = (n: number) => `${'t'.repeat(1000)}`.slice(0, 300 + n);
    const family = stored.counter('c_total', 'help', ['tenant'], true);
    family.restore('null', [['tenant', 'a']], { value: null as unknown as number });
    family.restore(long(0), [['tenant', long(0)]], { value: 2 });
    family.restore('b', [['tenant', 'b']], { value: 3 });
    const written = stored.takeDirty();
    expect(written.filter((d) => d.state === undefined).map((d) => d.key).sort()).toEqual([long(0), 'null'].sort());
    const kept = written.filter((d) => d.state !== undefined);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.key.length).toBeLessThanOrEqual(256);
    expect(kept[0]!.state!.value).toBe(2);
    expect(family.series.get('b')!.value).toBe(3);
    expect(family.total()).toBe(5);
  });
});

describe('metrics registry and a failed store write', () => {
  it('puts every series back as it was, new ones removed, and marks the unwritten ones dirty again', () => {
    const r = new Registry(10);
    const c = r.counter('c_total', 'help', ['a'], true);
    const h = r.histogram('h', 'help', ['a'], [1], true);
    c.inc(['x'], 2);
    h.observe(['x'], 0.5);
    const written = r.takeDirty();
    c.inc(['pending'], 1); // dirty from before, not yet written
    expect(() => r.transact(() => {
      c.inc(['x'], 3);
      c.inc(['new'], 1);
      h.observe(['x'], 2);
    }, () => {
      throw new Error('database or disk is full');
    })).toThrow('disk is full');
    expect(c.series.get('x')!.value).toBe(2);
    expect(c.series.has('new')).toBe(false);
    expect(h.series.get('x')).toMatchObject({ value: 0.5, count: 1, buckets: [1, 0] });
    // What the failed write held is written next time, as it is now.
    const next = r.takeDirty();
    expect(next.map((d) => [d.metric, d.key, d.state?.value]).sort()).toEqual([['c_total', 'pending', 1], ['c_total', 'x', 2], ['h', 'x', 0.5]]);
    expect(written).toHaveLength(2);
    // And a write that succeeds keeps the change.
    r.transact(() => c.inc(['x'], 3), (dirty) => expect(dirty).toHaveLength(1));
    expect(c.series.get('x')!.value).toBe(5);
  });
});
