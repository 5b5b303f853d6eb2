// OTLP/JSON ExportTraceServiceRequest → SpanRecord[], with the specification's JSON rules: ids are hex
// (any case), int64 may be a string or a number, enums are integers, unknown fields are ignored.
// Requests in the shape exporters send are read straight from their bytes (traces-json-scan.ts); any
// other body by the general decoder (traces-json-general.ts). No request body is ever JSON.parse'd.
import type { SpanRecord } from '../model/span-record.ts';
import type { DecodedTraces } from './span-validation.ts';
import { generalTracesJson } from './traces-json-general.ts';
import { scanTracesJson } from './traces-json-scan.ts';

export { DecodeError } from './otlp-json-values.ts';

export function decodeTracesJson(body: Buffer): DecodedTraces<SpanRecord> {
  try {
    return scanTracesJson(body);
  } catch {
    // Not in the scanner's shape, or not valid at all: the general decoder decides, and names the error.
    return generalTracesJson(body);
  }
}
