// Adds two middlewares to every BedrockRuntimeClient: one at the deserialize step that keeps the
// InvokeModel token-count headers (they are not in the Smithy model, so the output never has them), and
// one at the initialize step, inside the AwsInstrumentation span, that writes the response side.
import { diag, trace } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { getCallState } from './call-state.ts';
import { onBedrockError, onBedrockResponse } from './response.ts';

const MODULE = '@aws-sdk/client-bedrock-runtime';
const HEADERS = ['x-amzn-bedrock-input-token-count', 'x-amzn-bedrock-output-token-count', 'x-amzn-bedrock-invocation-latency'];

type Next = (args: any) => Promise<{ output: any; response?: any }>;
interface MiddlewareStack {
  add(mw: (next: Next) => Next, options: { step: string; name: string; override?: boolean }): void;
}

export class BedrockClientInstrumentation extends InstrumentationBase<{ enabled?: boolean; captureMessageContent?: boolean }> {
  constructor(config: { captureMessageContent?: boolean } = {}) {
    super('@tokenledger/instrumentation-bedrock', '0.1.0', config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(MODULE, ['>=3.400.0'], (exports: any) => {
      const proto = exports?.BedrockRuntimeClient?.prototype;
      if (proto && !Object.prototype.hasOwnProperty.call(proto, 'send')) this.patchSend(proto);
      return exports;
    }, (exports: any) => {
      const proto = exports?.BedrockRuntimeClient?.prototype;
      if (proto && Object.prototype.hasOwnProperty.call(proto, 'send')) delete proto.send;
    });
  }

  private patchSend(proto: any): void {
    const instrumentation = this;
    const withMiddleware = new WeakSet<object>();
    const parentSend = Object.getPrototypeOf(proto).send;
    proto.send = function send(this: { middlewareStack: MiddlewareStack }, ...args: unknown[]) {
      if (!withMiddleware.has(this)) {
        withMiddleware.add(this);
        try {
          instrumentation.addMiddleware(this.middlewareStack);
        } catch (err) {
          diag.error('tokenledger: could not add the Bedrock middleware', err);
        }
      }
      return parentSend.apply(this, args);
    };
  }

  private addMiddleware(stack: MiddlewareStack): void {
    stack.add((next) => async (args) => {
      const result = await next(args);
      const state = activeState();
      if (state && result.response?.headers) {
        const h: Record<string, string> = {};
        for (const name of HEADERS) if (result.response.headers[name] !== undefined) h[name] = String(result.response.headers[name]);
        state.headers = h;
      }
      return result;
    }, { step: 'deserialize', name: 'tokenledgerBedrockHeaders', override: true });
    stack.add((next) => async (args) => {
      const span = trace.getActiveSpan();
      const state = span && getCallState(span);
      if (!span || !state || !this.isEnabled()) return next(args);
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
        onBedrockResponse(span, state, result.output, this.getConfig().captureMessageContent === true);
      } catch (err) {
        diag.error('tokenledger: Bedrock response attributes failed', err);
      }
      return result;
    }, { step: 'initialize', name: 'tokenledgerBedrockUsage', override: true });
  }
}

function activeState() {
  const span = trace.getActiveSpan();
  return span && getCallState(span);
}
