// AWS event-stream messages (the binary framing of Bedrock, SageMaker and Agent Runtime streams), encoded with
// the Smithy codec the SDK decodes them with.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** An event: JSON members, or raw bytes (a blob payload such as SageMaker's PayloadPart). */
export function eventMessage(type: string, body: unknown): Uint8Array {
  const raw = body instanceof Uint8Array;
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: raw ? 'application/octet-stream' : 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: raw ? body : fromUtf8(JSON.stringify(body)),
  });
}

/** A modelled error after the 200 (e.g. `modelStreamErrorException`): the SDK throws it from the stream. */
export function exceptionMessage(type: string, body: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify(body)),
  });
}
