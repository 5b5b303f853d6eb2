// The data points of an OTLP metrics request (OTLP/JSON field names, which the receiver's protobuf decoding
// also produces), flattened with their attributes and their resource's: what the add-ons that read
// metrics (capacity's utilisation, the autoscaling signals) take from a request.

export interface Point {
  metric: string;
  value: number;
  atMs: number;
  /** The point's string attributes. */
  attributes: Record<string, string>;
  /** Its resource's string attributes. */
  resource: Record<string, string>;
}

interface KeyValue {
  key?: string;
  value?: { stringValue?: string };
}

interface DataPoint {
  attributes?: KeyValue[];
  asDouble?: number | string;
  asInt?: number | string;
  timeUnixNano?: number | string | { toString(): string };
}

interface Request {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { metrics?: { name?: string; gauge?: { dataPoints?: DataPoint[] }; sum?: { dataPoints?: DataPoint[] } }[] }[];
  }[];
}

/** The gauge and sum points of the metrics named in `names`, with finite values and timestamps. */
export function points(request: unknown, names: ReadonlySet<string>): Point[] {
  const out: Point[] = [];
  for (const rm of (request as Request)?.resourceMetrics ?? []) {
    let resource: Record<string, string> | undefined;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (!m.name || !names.has(m.name)) continue;
        resource ??= strings(rm.resource?.attributes);
        for (const p of [...(m.gauge?.dataPoints ?? []), ...(m.sum?.dataPoints ?? [])]) {
          const value = Number(p.asDouble ?? p.asInt);
          const atMs = Number(String(p.timeUnixNano ?? 0)) / 1e6;
          if (!Number.isFinite(value) || !(atMs > 0)) continue;
          out.push({ metric: m.name, value, atMs, attributes: strings(p.attributes), resource });
        }
      }
    }
  }
  return out;
}

function strings(kvs: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) if (kv.key && typeof kv.value?.stringValue === 'string') out[kv.key] = kv.value.stringValue;
  return out;
}
