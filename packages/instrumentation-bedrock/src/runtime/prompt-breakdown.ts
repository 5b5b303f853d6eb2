// The prompt breakdown is shared by every provider instrumentation (@tokenledger/instrumentation-core);
// Bedrock's request and response code import it through this module.
export { promptChars, promptTokenAttributes, type PromptChars } from '@tokenledger/instrumentation-core';
