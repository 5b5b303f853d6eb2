import type { Router } from '../router.ts';
import { sendJson } from '../router.ts';

/** /healthz answers while the process serves; /readyz once open traces are recovered from the store. */
export function addHealthRoutes(router: Router, isReady: () => boolean): void {
  router.add('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }), { public: true });
  router.add('GET', '/readyz', (_req, res) => (isReady() ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'recovering' })), { public: true });
}
