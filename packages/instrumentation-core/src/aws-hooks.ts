// The hook contract of the ONE AwsInstrumentation of the process: each AWS service package contributes its
// hooks (typed by this contract), and the instrumentation's config gets a dispatcher that calls those of
// the request's service. It lives in core so that every service package can implement it without depending
// on the package that builds the instrumentation (@tokenledger/instrumentation-bedrock).
import { diag, type Span } from '@opentelemetry/api';
import type { AwsSdkInstrumentationConfig, AwsSdkRequestHookInformation, AwsSdkResponseHookInformation } from '@opentelemetry/instrumentation-aws-sdk';

export interface AwsServiceHooks {
  /** `NormalizedRequest.serviceName`, e.g. `SageMakerRuntime`, `BedrockAgentRuntime`. */
  serviceName: string;
  preRequestHook?(span: Span, info: AwsSdkRequestHookInformation): void;
  responseHook?(span: Span, info: AwsSdkResponseHookInformation): void;
  exceptionHook?(span: Span, info: AwsSdkRequestHookInformation, err: unknown): void;
}

type Hooks = Pick<AwsSdkInstrumentationConfig, 'preRequestHook' | 'responseHook' | 'exceptionHook'>;

/** The three AwsInstrumentation hooks, dispatching to the services' own; a failing hook goes to diag. */
export function dispatchAwsHooks(services: readonly AwsServiceHooks[]): Required<Hooks> {
  const byName = new Map(services.map((s) => [s.serviceName, s]));
  const run = (name: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      diag.error(`tokenledger: ${name} hook failed`, err);
    }
  };
  return {
    preRequestHook(span, info) {
      const s = byName.get(info.request.serviceName);
      if (s?.preRequestHook) run(s.serviceName, () => s.preRequestHook!(span, info));
    },
    responseHook(span, info) {
      const s = byName.get(info.response.request.serviceName);
      if (s?.responseHook) run(s.serviceName, () => s.responseHook!(span, info));
    },
    exceptionHook(span, info, err) {
      const s = byName.get(info.request.serviceName);
      if (s?.exceptionHook) run(s.serviceName, () => s.exceptionHook!(span, info, err));
    },
  };
}
