import type { Router } from '../router.ts';
import { sendJson } from '../router.ts';

/**
 * /healthz answers while the process serves; /readyz 200 `ready` once open traces are recovered from the store and
 * while it takes writes, else 503 with the reason (`recovering`, `store unavailable`, `shutting down`).
 */
export function addHealthRoutes(router: Router, readiness: () => string): void {
  router.add('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }), { public: true });
  router.add('GET', '/readyz', (_req, res) => {
    const status = readiness();
    sendJson(res, status === 'ready' ? 200 : 503, { status });
  }, { public: true });
}
