// The prompt breakdown (@tokenledger/instrumentation-core) of OpenAI requests: system and developer messages
// (chat) and `instructions` (responses) are the system part; tool results (`tool` messages,
// `function_call_output` items) after the last user turn are context; the model's own turns are history.
import { promptChars, type PromptChars } from '@tokenledger/instrumentation-core';

const isSystem = (m: any) => m?.role === 'system' || m?.role === 'developer';

export function chatPromptChars(params: any): PromptChars {
  const messages: any[] = Array.isArray(params.messages) ? params.messages : [];
  const system = messages.filter(isSystem).map((m) => m.content);
  // An assistant turn's tool calls are part of what it said.
  const rest = messages.filter((m) => !isSystem(m)).map((m) => (m?.tool_calls ? { role: m.role, content: [m.content, m.tool_calls] } : m));
  return promptChars(system.length ? system : undefined, rest, params.tools ?? params.functions);
}

export function responsesPromptChars(params: any): PromptChars {
  const items: any[] = typeof params.input === 'string' ? [{ role: 'user', content: params.input }] : Array.isArray(params.input) ? params.input : [];
  const turns = items.map((item) => {
    if (typeof item?.role === 'string') return item;
    if (item?.type === 'function_call_output') return { role: 'tool', content: item.output };
    return { role: 'assistant', content: item }; // the model's function calls, reasoning and other output items
  });
  const system = [params.instructions, ...turns.filter(isSystem).map((m) => m.content)].filter((x) => x !== undefined && x !== null);
  return promptChars(system.length ? system : undefined, turns.filter((m) => !isSystem(m)), params.tools);
}
