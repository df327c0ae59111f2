import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type TokenUse = 'id' | 'access';

export interface PublicJwk {
  kid: string;
  kty: 'RSA';
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
}

interface StoredKey {
  use: TokenUse;
  privateKeyPem: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

/** RFC 7638 thumbprint of an RSA public key: a stable `kid`. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

function toSigningKey(privateKeyPem: string): SigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (!n || !e) throw new Error('signing key is not an RSA key');
  const kid = thumbprint(n, e);
  return { kid, privateKey, publicKey, jwk: { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n, e } };
}

function writeFileDurably(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/**
 * The RS256 key pairs that sign this install's tokens: one for ID tokens, one for
 * access tokens (separate kids, as Cognito). Generated on first start and kept in
 * `<dataDir>/signing-keys.json` (mode 0600); never shipped with the code.
 */
export class KeyStore {
  readonly #byUse: Record<TokenUse, SigningKey>;
  readonly #byKid: Map<string, SigningKey & { use: TokenUse }>;

  private constructor(keys: Record<TokenUse, SigningKey>) {
    this.#byUse = keys;
    this.#byKid = new Map(
      (Object.entries(keys) as [TokenUse, SigningKey][]).map(([use, key]) => [
        key.kid,
        { ...key, use },
      ]),
    );
  }

  static file(dataDir: string): string {
    return path.join(dataDir, 'signing-keys.json');
  }

  /** Loads the keys under `dataDir`, generating and persisting them on first start. */
  static open(dataDir: string): KeyStore {
    const file = KeyStore.file(dataDir);
    if (!fs.existsSync(file)) {
      const generate = (use: TokenUse): StoredKey => ({
        use,
        privateKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      });
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileDurably(file, JSON.stringify({ keys: [generate('id'), generate('access')] }));
    }
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: StoredKey[] };
    const pem = (use: TokenUse) => {
      const key = stored.keys.find((candidate) => candidate.use === use);
      if (!key) throw new Error(`${file} has no ${use} token key; delete it to regenerate`);
      return key.privateKeyPem;
    };
    return new KeyStore({ id: toSigningKey(pem('id')), access: toSigningKey(pem('access')) });
  }

  signingKey(use: TokenUse): SigningKey {
    return this.#byUse[use];
  }

  /** The key with this kid, and which token type it signs. */
  byKid(kid: string): (SigningKey & { use: TokenUse }) | undefined {
    return this.#byKid.get(kid);
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [this.#byUse.id.jwk, this.#byUse.access.jwk] };
  }
}
