// Public API of the OTLP/HTTP receiver.
export { startOtlpReceiver, TRACES_PATH, METRICS_PATH, type OtlpReceiver, type OtlpReceiverOptions } from './server.ts';
export { decodeTracesProtobuf } from './traces-protobuf.ts';
export { decodeTracesJson, DecodeError } from './traces-json.ts';
export { decodeMetricsJson, decodeMetricsProtobuf } from './metrics.ts';
export type { DecodedTraces } from './span-validation.ts';
