import { Router } from 'express';
import { ServiceUnavailableError, type Lifecycle } from '@authstack/shared';
import {
  REVOCATION_RETRY_AFTER_SECONDS,
  type RevocationCheck,
  type RevocationReport,
} from '../domain/revocation-check';
import type { SigningKeysReport } from '../domain/signing-keys';

export interface HealthDeps {
  lifecycle: Lifecycle;
  keysReady: () => boolean;
  /** Shown by `/readyz`: a JWKS source that is down is reported, not fatal while cached keys last. */
  keys: () => SigningKeysReport;
  revocations: Pick<RevocationCheck, 'refusing' | 'report'>;
}

function staleMessage({ stalenessMs, maxStalenessMs, state }: RevocationReport): string {
  const age =
    stalenessMs === null
      ? 'has not been loaded yet'
      : `was last confirmed current ${(stalenessMs / 1000).toFixed(1)} s ago`;
  const limit = ((maxStalenessMs ?? 0) / 1000).toFixed(0);
  return `The revocation list ${age} (limit ${limit} s, feed ${state}); protected routes answer 503 until it is current again.`;
}

/**
 * `/healthz`: the process answers. `/readyz`: signing keys loaded, not shutting down, and
 * the revocation copy usable; it reports how stale that copy is.
 */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (deps.lifecycle.shuttingDown) {
      throw new ServiceUnavailableError('shutting_down', 'The server is shutting down.');
    }
    if (!deps.keysReady()) {
      throw new ServiceUnavailableError(
        'keys_unavailable',
        'The token signing keys are not loaded.',
      );
    }
    const revocations = deps.revocations.report();
    if (deps.revocations.refusing) {
      throw new ServiceUnavailableError('revocation_unavailable', staleMessage(revocations), {
        headers: { 'Retry-After': String(REVOCATION_RETRY_AFTER_SECONDS) },
      });
    }
    res.json({ status: 'ready', keys: deps.keys(), revocations });
  });
  return router;
}
