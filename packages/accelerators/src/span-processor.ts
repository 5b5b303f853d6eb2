// Stamps the accelerator state on model spans as they end. onEnding runs before the span is frozen
// (attributes set in onEnd would be dropped), so the snapshot is the one current when the call finished.
import { diag, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_ACCELERATOR_DEVICES,
  ATTR_ACCELERATOR_KIND,
  ATTR_ACCELERATOR_MEMORY_USED_BYTES,
  ATTR_ACCELERATOR_UTILIZATION,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_INSTANCE_ID,
  ATTR_INSTANCE_TYPE,
} from '@tokenledger/semconv';
import type { AcceleratorMetrics, AcceleratorSnapshot, SnapshotSpanProcessorOptions } from './types.ts';

const DEFAULT_MAX_AGE_MS = 30_000;

export class AcceleratorSnapshotSpanProcessor implements SpanProcessor {
  private readonly source: Pick<AcceleratorMetrics, 'snapshot'>;
  private readonly maxAgeMs: number;

  constructor(source: Pick<AcceleratorMetrics, 'snapshot'>, options: SnapshotSpanProcessorOptions = {}) {
    this.source = source;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      if (span.attributes[ATTR_GEN_AI_OPERATION_NAME] === undefined) return;
      const snapshot = this.source.snapshot();
      if (!snapshot || Date.now() - snapshot.time > this.maxAgeMs) return;
      span.setAttributes(snapshotAttributes(snapshot, span.attributes));
    } catch (err) {
      diag.error('tokenledger accelerators: could not record the accelerator snapshot on a span', err);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The span attributes of a snapshot; the instance type an instrumentation already set is kept. */
export function snapshotAttributes(snapshot: AcceleratorSnapshot, existing: Attributes = {}): Attributes {
  const attributes: Attributes = {
    [ATTR_ACCELERATOR_KIND]: snapshot.kind,
    [ATTR_ACCELERATOR_DEVICES]: snapshot.devices.length,
  };
  if (snapshot.utilization !== undefined) attributes[ATTR_ACCELERATOR_UTILIZATION] = snapshot.utilization;
  if (snapshot.memoryUsedBytes !== undefined) attributes[ATTR_ACCELERATOR_MEMORY_USED_BYTES] = snapshot.memoryUsedBytes;
  if (snapshot.instance.instanceId !== undefined) attributes[ATTR_INSTANCE_ID] = snapshot.instance.instanceId;
  if (snapshot.instance.instanceType !== undefined && existing[ATTR_INSTANCE_TYPE] === undefined) {
    attributes[ATTR_INSTANCE_TYPE] = snapshot.instance.instanceType;
  }
  return attributes;
}
