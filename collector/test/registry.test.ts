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
    for (const d of dirty) h2.restore(d.key, d.labels, d.state);
    h2.observe(['m1'], 0.1);
    expect(b.expose()).toContain('h_bucket{m="m1",le="1"} 2\nh_bucket{m="m1",le="+Inf"} 3\nh_sum{m="m1"} 2.6\nh_count{m="m1"} 3');
  });
});
