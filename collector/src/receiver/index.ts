// Public API of the OTLP/HTTP receiver.
export { startOtlpReceiver } from './server.ts';
export type { OtlpReceiver, OtlpReceiverOptions } from './types.ts';
export { decodeTracesProtobuf } from './traces-protobuf.ts';
export { decodeTracesJson, DecodeError } from './traces-json.ts';
