// The demo's tickets and knowledge base: deterministic, so the report is the same on every run.
export interface Ticket {
  tenant: 'acme' | 'globex' | 'initech';
  workflow: 'triage' | 'answer' | 'draft_reply' | 'refund';
  text: string;
  label: string;
  history: string[];
  /** The first model answer is unusable (the app retries). */
  flaky?: boolean;
  /** The knowledge base does not cover it: the answer is not accepted. */
  uncovered?: boolean;
}

export const KNOWLEDGE_BASE = [
  { id: 'kb-101', text: 'To reset your password open Settings, Security, Reset password; the link expires after one hour.' },
  { id: 'kb-102', text: 'Invoices are issued on the first day of the month; download them from Billing, Invoices.' },
  { id: 'kb-103', text: 'Export your data as CSV from Reports, Export; large exports arrive by email.' },
  { id: 'kb-104', text: 'Single sign-on supports SAML and OIDC; an administrator enables it under Security, SSO.' },
  { id: 'kb-105', text: 'API rate limits are 100 requests per second per workspace; a 429 answer carries Retry-After.' },
  { id: 'kb-106', text: 'Refunds are handled by the billing team within five business days of a request.' },
];

const QUESTIONS = [
  'How do I reset my password? The link in the email does not work any more.',
  'Where can I download last month invoices for our finance team?',
  'Can we export all reports as CSV for an audit?',
  'How do we enable single sign-on with our SAML provider?',
  'What are the API rate limits and what happens when we exceed them?',
  'Do you support exporting dashboards to our on-premise data lake over SFTP?',
];
const PROBLEMS = [
  'The mobile app crashes when I open a report with more than 10,000 rows.',
  'We were charged twice this month, please refund the duplicate payment.',
  'Someone logged in from an unknown country, is our account compromised?',
  'How can I change the owner of a workspace?',
];

const tenants = ['acme', 'globex', 'initech'] as const;
export const TICKETS: Ticket[] = tenants.flatMap((tenant, t) => [
  ...PROBLEMS.map((text, i): Ticket => ({ tenant, workflow: 'triage', text, label: ['bug', 'billing', 'security', 'how-to'][i], history: [], flaky: (i + t) % 4 === 1 })),
  ...QUESTIONS.slice(0, 4 + t).map((text, i): Ticket => ({
    tenant, workflow: 'answer', text, label: 'how-to',
    history: i % 2 ? ['Hi, I have a question about my account.', 'Sure, how can I help?'] : [],
    uncovered: i === 5,
  })),
  ...PROBLEMS.slice(0, 2 + t).map((text, i): Ticket => ({ tenant, workflow: 'draft_reply', text, label: '', history: [], flaky: i === 1 })),
  { tenant, workflow: 'refund', text: `Order ${1000 + t} arrived broken, please refund it.`, label: '', history: [] },
]);
