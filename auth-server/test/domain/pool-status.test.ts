import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '@authstack/shared';
import { PoolStatus } from '../../src/domain/pool-status';

const LAX: PasswordPolicy = {
  MinimumLength: 6,
  RequireUppercase: false,
  RequireLowercase: true,
  RequireNumbers: false,
  RequireSymbols: false,
};

function fakePool(answers: (() => Promise<PasswordPolicy>)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    describe: async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls += 1;
      if (!answer) throw new Error('no answer');
      return { passwordPolicy: await answer(), mfaConfiguration: 'OPTIONAL' as const };
    },
  };
}

describe('PoolStatus', () => {
  it("uses Cognito's default policy until the pool has answered, then the pool's", async () => {
    const pool = fakePool([async () => LAX]);
    const status = new PoolStatus(pool);
    expect(status.passwordPolicy).toEqual(DEFAULT_PASSWORD_POLICY);
    expect(status.passwordPolicySource).toBe('default');
    await expect(status.check()).resolves.toBe(true);
    expect(status.passwordPolicy).toEqual(LAX);
    expect(status.passwordPolicySource).toBe('pool');
  });

  it("knows the pool's MfaConfiguration only once the pool has answered", async () => {
    const status = new PoolStatus(fakePool([async () => LAX]));
    expect(status.mfaConfiguration).toBeUndefined();
    await expect(status.currentMfaConfiguration()).resolves.toBe('OPTIONAL');
    expect(status.mfaConfiguration).toBe('OPTIONAL');
  });

  it('asks the pool at most once per ttl, and concurrent checks share one call', async () => {
    let now = 0;
    const pool = fakePool([async () => LAX]);
    const status = new PoolStatus(pool, { ttlMs: 2_000, now: () => now });
    await Promise.all([status.check(), status.check(), status.check()]);
    expect(pool.calls).toBe(1);
    now = 1_999;
    await status.check();
    expect(pool.calls).toBe(1);
    now = 2_000;
    await status.check();
    expect(pool.calls).toBe(2);
  });

  it('reports unreachable when the pool fails, keeps the last policy, and recovers', async () => {
    let now = 0;
    const pool = fakePool([
      async () => LAX,
      async () => {
        throw new Error('down');
      },
      async () => DEFAULT_PASSWORD_POLICY,
    ]);
    const status = new PoolStatus(pool, { ttlMs: 10, now: () => now });
    await expect(status.check()).resolves.toBe(true);
    now = 10;
    await expect(status.check()).resolves.toBe(false);
    expect(status.passwordPolicy).toEqual(LAX);
    now = 20;
    await expect(status.check()).resolves.toBe(true);
    expect(status.passwordPolicy).toEqual(DEFAULT_PASSWORD_POLICY);
  });

  it('asks the pool for the policy before the first password check, once it answers uses it', async () => {
    let now = 0;
    const pool = fakePool([
      async () => {
        throw new Error('down');
      },
      async () => LAX,
    ]);
    const status = new PoolStatus(pool, { ttlMs: 10, now: () => now });
    await expect(status.currentPasswordPolicy()).resolves.toEqual(DEFAULT_PASSWORD_POLICY);
    await expect(status.currentPasswordPolicy()).resolves.toEqual(DEFAULT_PASSWORD_POLICY);
    expect(pool.calls).toBe(1);
    now = 10;
    await expect(status.currentPasswordPolicy()).resolves.toEqual(LAX);
    await expect(status.currentPasswordPolicy()).resolves.toEqual(LAX);
    expect(pool.calls).toBe(2);
  });
});
