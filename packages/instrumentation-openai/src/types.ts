import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Ask for provider-reported usage on streamed chat completions by adding
   * `stream_options: {include_usage: true}` when the caller did not set it. The extra usage-only chunk
   * this makes the server send is consumed by the instrumentation, never shown to the app.
   * Default true; env `TOKENLEDGER_OPENAI_STREAM_USAGE=false` turns it off.
   */
  requestStreamUsage?: boolean;
}
