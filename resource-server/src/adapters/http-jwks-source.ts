import { assertIsJwks, type Jwks } from 'aws-jwt-verify/jwk';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import type { JwksSource } from '../domain/signing-keys';

/** A JWKS is a few keys; anything much larger is not one. */
const MAX_JWKS_BYTES = 64 * 1024;

export interface HttpJwksSourceOptions {
  url: string;
  /** Allows an `http:` URL: only for an explicitly local user pool. */
  allowInsecureHttp: boolean;
  timeoutMs: number;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`JWKS larger than ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`JWKS larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

/**
 * Fetches the user pool's JWKS over HTTPS (HTTP only when explicitly allowed), with a
 * timeout, no redirects, a size limit and aws-jwt-verify's own JWKS validation.
 */
export function httpJwksSource(options: HttpJwksSourceOptions): JwksSource {
  const { protocol } = new URL(options.url);
  if (protocol !== 'https:' && !(protocol === 'http:' && options.allowInsecureHttp)) {
    throw new Error(`refusing JWKS URL ${options.url}: use https (http only for a local pool)`);
  }
  return {
    url: options.url,
    async fetchJwks(): Promise<Jwks> {
      const response = await fetch(options.url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
      }
      const jwks = safeJsonParse(await readBounded(response, MAX_JWKS_BYTES));
      assertIsJwks(jwks);
      return jwks;
    },
  };
}
