// Adds two middlewares to the middleware stack of every AWS SDK client the AwsInstrumentation sees: one at
// the deserialize step that keeps the InvokeModel token-count headers (they are not in the Smithy model,
// so the output never has them), and one at the initialize step, inside the AwsInstrumentation span, that
// writes the response side. They act only for calls the Bedrock request hook marked; others pass through.
//
// They are added from the upstream's own patch of `Client.send` (its `patchV3MiddlewareStack`): patching
// `Client.send` a second time is not possible (one wrapper replaces the other), and patching the client
// package misses apps that import it as ESM.
import { diag, trace } from '@opentelemetry/api';
import type { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { type CallState, getCallState } from './call-state.ts';
import { onBedrockError, onBedrockResponse } from './response.ts';

const HEADERS = ['x-amzn-bedrock-input-token-count', 'x-amzn-bedrock-output-token-count', 'x-amzn-bedrock-invocation-latency'];

type Next = (args: any) => Promise<{ output: any; response?: any }>;
interface MiddlewareStack {
  add(mw: (next: Next) => Next, options: { step: string; name: string; override?: boolean }): void;
}

/** Hooks the Bedrock middlewares into `aws`; false (and a diag warning) when its internals changed. */
export function attachBedrockMiddleware(aws: AwsInstrumentation, captureContent: boolean): boolean {
  const target = aws as unknown as { patchV3MiddlewareStack?: (version: unknown, stack: MiddlewareStack) => unknown };
  const original = target.patchV3MiddlewareStack;
  if (typeof original !== 'function') {
    diag.warn('tokenledger: this @opentelemetry/instrumentation-aws-sdk has no patchV3MiddlewareStack; Bedrock spans get no usage or cost');
    return false;
  }
  const seen = new WeakSet<object>();
  target.patchV3MiddlewareStack = function (this: unknown, version: unknown, stack: MiddlewareStack) {
    if (stack && !seen.has(stack)) {
      seen.add(stack);
      try {
        addMiddleware(stack, captureContent);
      } catch (err) {
        diag.error('tokenledger: could not add the Bedrock middleware', err);
      }
    }
    return original.call(this, version, stack);
  };
  return true;
}

function addMiddleware(stack: MiddlewareStack, captureContent: boolean): void {
  stack.add((next) => (args) => {
    // Only InvokeModel reads these headers: other calls skip the extra async frame.
    const state = activeState();
    return state?.operation === 'InvokeModel' ? keepHeaders(next, args, state) : next(args);
  }, { step: 'deserialize', name: 'tokenledgerBedrockHeaders', override: true });
  stack.add((next) => async (args) => {
    const span = trace.getActiveSpan();
    const state = span && getCallState(span);
    if (!span || !state) return next(args);
    let result;
    try {
      result = await next(args);
    } catch (err) {
      try {
        onBedrockError(span, state, err);
      } catch (e) {
        diag.error('tokenledger: Bedrock error attributes failed', e);
      }
      throw err;
    }
    try {
      onBedrockResponse(span, state, result.output, captureContent);
    } catch (err) {
      diag.error('tokenledger: Bedrock response attributes failed', err);
    }
    return result;
  }, { step: 'initialize', name: 'tokenledgerBedrockUsage', override: true });
}

async function keepHeaders(next: Next, args: any, state: CallState) {
  const result = await next(args);
  const headers = result.response?.headers;
  if (headers) {
    const h: Record<string, string> = {};
    for (const name of HEADERS) if (headers[name] !== undefined) h[name] = String(headers[name]);
    state.headers = h;
  }
  return result;
}

function activeState() {
  const span = trace.getActiveSpan();
  return span && getCallState(span);
}
