// Public API of the OTLP/HTTP receiver.
export { startOtlpReceiver, TRACES_PATH, METRICS_PATH } from './server.ts';
export type { OtlpReceiver, OtlpReceiverOptions } from './types.ts';
export { decodeTracesProtobuf } from './traces-protobuf.ts';
export { decodeTracesJson, DecodeError } from './traces-json.ts';
export { decodeMetricsJson, decodeMetricsProtobuf } from './metrics.ts';
export type { DecodedTraces } from './span-validation.ts';
