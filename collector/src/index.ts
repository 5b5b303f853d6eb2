// Public API of @tokenledger/collector (for the demo, exporters and tests; nothing in packages/ imports it).
export { Collector, type CollectorOptions, type StartReceiver } from './collector.ts';
export { ADD_ONS } from './add-ons.ts';
export type { CollectorComponent, ComponentContext, ComponentFactory } from './components/types.ts';
export { configFromEnv } from './config/env.ts';
export { ConfigError } from './config/parse.ts';
export { systemClock } from './config/clock.ts';
export type { Clock, CollectorConfig, HostPort } from './config/types.ts';
export { Router, sendJson, sendText, type Handler, type RouteOptions } from './http/router.ts';
export { OUTCOMES_PATH } from './http/routes/outcomes.ts';
export { GROUP_KEYS, type GroupKey, type OutcomeRow } from './store/outcomes-query.ts';
export { CollectorMetrics } from './metrics/collector-metrics.ts';
export { Registry, MetricFamily } from './metrics/registry.ts';
export { Backpressure, type SpanRecord, type SpanSink, type AttributeValue } from './model/span-record.ts';
export { observe, ROLLUP_METRICS, type FinalisedTrace, type Observation, type RollupMetric } from './rollup/observations.ts';
export type { TraceRollup, TraceLabels, CallGroup, CallCost } from './rollup/types.ts';
// What an add-on's observeSpans is handed with the spans: each span as the roll-up priced it.
export type { PricedSpan } from './rollup/call-cost.ts';
