import { issueTokens, refreshTokens, verifyAccessToken } from '@authstack/local-pool/domain/tokens';
import { newUser } from '@authstack/local-pool/domain/users';
import type { ClientRecord, UserRecord } from '@authstack/local-pool/domain/types';
import { domainFixture, type DomainFixture } from '../support/domain-context';

describe('token lifetimes, refresh-token storage and pruning', () => {
  let fixture: DomainFixture;
  let user: UserRecord;
  let client: ClientRecord;
  const HOUR = 3_600_000;

  beforeEach(() => {
    fixture = domainFixture();
    client = {
      id: 'abcdefghijklmnopqrstuvwxyz',
      poolId: fixture.pool.id,
      name: 'c',
      secret: null,
      createdAt: fixture.now.ms,
      updatedAt: fixture.now.ms,
      settings: {
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        RefreshTokenValidity: 2,
        TokenValidityUnits: { RefreshToken: 'hours' },
        AuthSessionValidity: 3,
      },
    };
    fixture.context.store.insertClient(client);
    user = fixture.context.store.insertUser(
      newUser(fixture.pool, {
        username: 's-1',
        sub: 's-1',
        status: 'CONFIRMED',
        passwordHash: null,
        attributes: { email: 't@example.com', email_verified: 'true' },
        now: fixture.now.ms,
      }),
    );
  });

  afterEach(() => fixture.close());

  it("uses Cognito's default 1 h for access and ID tokens", () => {
    const tokens = issueTokens(fixture.context, fixture.pool, client, user);
    expect(tokens.ExpiresIn).toBe(3600);
  });

  it('refuses an access token once it has expired, and a refresh token after its lifetime', () => {
    const tokens = issueTokens(fixture.context, fixture.pool, client, user);
    fixture.now.ms += HOUR;
    expect(() => verifyAccessToken(fixture.context, tokens.AccessToken)).toThrow(
      'Access Token has expired',
    );
    fixture.now.ms += HOUR;
    expect(() =>
      refreshTokens(
        fixture.context,
        fixture.pool,
        client,
        tokens.RefreshToken ?? '',
        () => undefined,
      ),
    ).toThrow('Refresh Token has expired');
  });

  it('stores refresh tokens hashed, never as issued', () => {
    const tokens = issueTokens(fixture.context, fixture.pool, client, user);
    expect(fixture.context.store.refreshTokenByHash(tokens.RefreshToken ?? '')).toBeUndefined();
  });

  it('prunes a refresh token only once it and every access token issued from it have expired', () => {
    const tokens = issueTokens(fixture.context, fixture.pool, client, user);
    fixture.now.ms += 2 * HOUR - 60_000;
    const late = refreshTokens(
      fixture.context,
      fixture.pool,
      client,
      tokens.RefreshToken ?? '',
      () => undefined,
    );
    fixture.now.ms += 60_000 + 1;
    expect(fixture.context.store.prune(fixture.now.ms)).toBe(0);
    expect(verifyAccessToken(fixture.context, late.AccessToken).user.sub).toBe(user.sub);
    fixture.now.ms += HOUR;
    expect(fixture.context.store.prune(fixture.now.ms)).toBe(1);
  });

  it('prunes an unused refresh token right after it expires', () => {
    issueTokens(fixture.context, fixture.pool, client, user);
    fixture.now.ms += 2 * HOUR - 1;
    expect(fixture.context.store.prune(fixture.now.ms)).toBe(0);
    fixture.now.ms += 2;
    expect(fixture.context.store.prune(fixture.now.ms)).toBe(1);
  });
});
