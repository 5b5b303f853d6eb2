// The demo application: a support assistant for three tenants. It knows nothing about TokenLedger beyond
// the small attribution API; run it with `node --require @tokenledger/node/register`.
// Workflows: ticket triage on a cheap classification route; RAG answers (embedding, retrieval, context
// assembly, a cached system prompt); reply drafts on a reasoning route, streamed, with an application
// retry on invalid output and a fallback when the first model is unavailable; refunds by a Bedrock agent
// (its model calls priced from the agent's trace). Some outcomes fail.
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, type Message } from '@aws-sdk/client-bedrock-runtime';
import { recordOutcome, setRoute, withAttribution, withRetry } from '@tokenledger/node';
import { recordContextAssembly, traceRetrieval } from '@tokenledger/retrieval';
import { trace } from '@opentelemetry/api';
import { KNOWLEDGE_BASE, TICKETS, type Ticket } from './data.ts';
import { MODELS, REFUND_AGENT_ID } from './models.ts';


const SYSTEM_PROMPT =
  'You are the support assistant of a software company. Answer only from the context. Be brief, cite the article id, ' +
  'never promise refunds, escalate security issues. '.repeat(20);

const endpoint = process.env.DEMO_BEDROCK_URL;
if (!endpoint) throw new Error('DEMO_BEDROCK_URL is not set: run the demo with `npm start`');
const bedrock = new BedrockRuntimeClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEMO', secretAccessKey: 'demo-secret' },
  maxAttempts: 3,
});
const agents = new BedrockAgentRuntimeClient({
  endpoint: process.env.DEMO_BEDROCK_AGENT_URL,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEMO', secretAccessKey: 'demo-secret' },
});
const tracer = trace.getTracer('support-assistant');

async function triage(ticket: Ticket): Promise<void> {
  setRoute('classification', 'short ticket, fixed label set');
  const labels = ['billing', 'bug', 'how-to', 'security'];
  for (let attempt = 0; attempt < 2; attempt++) {
    const label = await withRetry({ attempt, reason: attempt ? 'invalid_output' : undefined }, async () => {
      await bedrock.send(new ConverseCommand({
        modelId: MODELS.classifier,
        system: [{ text: `Classify the ticket as one of: ${labels.join(', ')}. Answer with the label only.` }],
        messages: [{ role: 'user', content: [{ text: ticket.text }] }],
        inferenceConfig: { maxTokens: 10, temperature: 0 },
      }));
      // The demo endpoint answers free text: the first answer for "flaky" tickets is treated as off-list.
      return ticket.flaky && attempt === 0 ? 'unknown' : ticket.label;
    });
    if (labels.includes(label)) {
      recordOutcome('ticket_classified', true);
      return;
    }
  }
  recordOutcome('ticket_classified', false);
}

async function answer(ticket: Ticket): Promise<void> {
  setRoute('rag', 'question about product usage');
  await bedrock.send(new InvokeModelCommand({
    modelId: MODELS.embedder,
    contentType: 'application/json',
    body: JSON.stringify({ inputText: ticket.text, dimensions: 256 }),
  }));
  const docs = await traceRetrieval({ dataSource: 'kb:help-center', topK: 4 }, () => search(ticket.text, 4));
  const unique = [...new Map(docs.map((d) => [d.id, d])).values()];
  const context = unique.map((d) => `[${d.id}] ${d.text}`).join('\n');
  recordContextAssembly({ documents: unique.length, duplicates: docs.length - unique.length, context, topK: 4 });
  const history: Message[] = ticket.history.map((text, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ text }] }));
  const res = await bedrock.send(new ConverseCommand({
    modelId: MODELS.answerer,
    system: [{ text: SYSTEM_PROMPT }, { cachePoint: { type: 'default' } }],
    // Retrieved context and the question as separate blocks: the prompt breakdown counts them apart.
    messages: [...history, { role: 'user', content: [{ text: `Context:\n${context}` }, { text: ticket.text }] }],
    inferenceConfig: { maxTokens: 400 },
  }));
  const text = res.output?.message?.content?.[0]?.text ?? '';
  // A support lead would reject answers to questions the knowledge base does not cover.
  recordOutcome('question_answered', text.length > 0 && !ticket.uncovered);
}

async function draftReply(ticket: Ticket): Promise<void> {
  setRoute('reasoning', 'multi-step reply draft');
  const first = ticket.tenant === 'globex' ? MODELS.drafterEu : MODELS.drafter;
  let model = first;
  for (let attempt = 0; attempt < 3; attempt++) {
    const fallback = model !== first;
    try {
      const ok = await withRetry({ attempt, reason: attempt ? (fallback ? 'model_unavailable' : 'invalid_output') : undefined, fallback }, async () => {
        const res = await bedrock.send(new ConverseStreamCommand({
          modelId: model,
          system: [{ text: 'Draft a polite reply to the customer. Use the ticket and the history.' }],
          messages: [{ role: 'user', content: [{ text: ticket.text }] }],
          inferenceConfig: { maxTokens: 600 },
        }));
        let text = '';
        for await (const event of res.stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
        return text.length > 0 && !(ticket.flaky && attempt === 0);
      });
      if (ok) {
        recordOutcome('reply_drafted', true);
        return;
      }
    } catch (err) {
      // The first model is refused for some tenants: fall back to the other one.
      if ((err as Error).name === 'ValidationException' && !fallback) model = MODELS.drafterFallback;
      else break;
    }
  }
  recordOutcome('reply_drafted', false);
}

async function refund(ticket: Ticket): Promise<void> {
  setRoute('agent', 'refunds need order lookups and a policy check');
  // enableTrace: the agent's model calls (and so its cost) are reported only in its trace events.
  const res = await agents.send(new InvokeAgentCommand({
    agentId: REFUND_AGENT_ID, agentAliasId: 'LIVE', sessionId: `${ticket.tenant}-refund`, inputText: ticket.text, enableTrace: true,
  }));
  let text = '';
  for await (const event of res.completion ?? []) if (event.chunk?.bytes) text += new TextDecoder().decode(event.chunk.bytes);
  recordOutcome('refund_handled', text.length > 0);
}

function search(query: string, k: number): { id: string; text: string }[] {
  const words = new Set(query.toLowerCase().split(/\W+/).filter((w) => w.length > 3));
  const scored = KNOWLEDGE_BASE.map((d) => ({ d, score: d.text.toLowerCase().split(/\W+/).filter((w) => words.has(w)).length }));
  scored.sort((a, b) => b.score - a.score);
  // Two indexes hold the same articles; the top-k of both is merged, duplicates included.
  const top = scored.slice(0, k - 1).map((s) => s.d);
  return [...top, top[0]];
}

const WORKFLOWS = {
  triage: ['inbox', triage], answer: ['help-center', answer], draft_reply: ['agent-assist', draftReply], refund: ['self-service', refund],
} as const;
const OUTCOMES = { triage: 'ticket_classified', answer: 'question_answered', draft_reply: 'reply_drafted', refund: 'refund_handled' } as const;

for (const ticket of TICKETS) {
  const [feature, run] = WORKFLOWS[ticket.workflow];
  await withAttribution({ tenant: ticket.tenant, feature, workflow: ticket.workflow }, () =>
    tracer.startActiveSpan(`support ${ticket.workflow}`, async (span) => {
      try {
        await run(ticket);
      } catch (err) {
        span.recordException(err as Error);
        recordOutcome(OUTCOMES[ticket.workflow], false);
      } finally {
        span.end();
      }
    }),
  );
}
console.log(`support-assistant: handled ${TICKETS.length} tickets for ${new Set(TICKETS.map((t) => t.tenant)).size} tenants`);
