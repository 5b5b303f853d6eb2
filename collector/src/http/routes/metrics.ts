import type { Registry } from '../../metrics/registry.ts';
import { type Router, sendText } from '../router.ts';

export function addMetricsRoute(router: Router, registry: Registry): void {
  router.add('GET', '/metrics', (_req, res) => sendText(res, 200, registry.expose(), 'text/plain; version=0.0.4; charset=utf-8'));
}
