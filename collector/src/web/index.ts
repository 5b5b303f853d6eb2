// The embedded page (GET /): the cost-per-outcome table and spend over time, drawn in the browser from
// /api/v1/outcomes, for users of `npm start` who run no Grafana. Plain HTML with inline script: no build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Router, sendText } from '../http/router.ts';

export const PAGE_PATH = '/';

/**
 * Registers the page. It is public (it holds no data); with TOKENLEDGER_AUTH_TOKEN set, open it as
 * `/#token=<token>`: the script sends the token as a bearer header, and a URL fragment never reaches a server.
 */
export function addWebRoutes(router: Router): void {
  const html = readFileSync(join(import.meta.dirname, 'page.html'), 'utf8');
  router.add('GET', PAGE_PATH, (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
    res.setHeader('x-content-type-options', 'nosniff');
    sendText(res, 200, html, 'text/html; charset=utf-8');
  }, { public: true });
}
