import type { Registry } from '../../metrics/registry.ts';
import { type Router, sendText } from '../router.ts';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Prometheus text by default; OpenMetrics (with exemplars) when the scraper asks for it, as Prometheus does first. */
export function addMetricsRoute(router: Router, registry: Registry): void {
  router.add('GET', '/metrics', (req, res) => {
    if (wantsOpenMetrics(req.headers.accept)) return sendText(res, 200, registry.exposeOpenMetrics(), OPENMETRICS);
    sendText(res, 200, registry.expose(), 'text/plain; version=0.0.4; charset=utf-8');
  });
}

/** OpenMetrics is accepted (with q > 0) and not ranked below the plain text format. */
function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';').map((p) => p.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}
