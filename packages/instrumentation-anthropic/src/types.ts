import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /**
   * Keep the spans `@anthropic-ai/sdk` emits itself (scope `com.anthropic.sdk.typescript`) beside ours.
   * Default false: a client's own tracing is switched off the first time it calls the Messages API while
   * this instrumentation is enabled, because its spans carry input tokens that a collector pricing
   * foreign spans would count a second time.
   */
  keepSdkSpans?: boolean;
}
