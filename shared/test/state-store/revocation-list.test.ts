import { parseRevocationNotice, RevocationList, type Revocation } from '../../src/state-store';

const user = (sub: string, notBefore: number, expiresAt = notBefore + 3600): Revocation => ({
  kind: 'user',
  subject: sub,
  group: '',
  notBefore,
  expiresAt,
});

describe('RevocationList', () => {
  it('refuses tokens of a revoked user issued before notBefore and admits later ones', () => {
    const list = new RevocationList();
    list.apply(user('alice', 1000));
    expect(list.isRevoked({ sub: 'alice', originJti: null, issuedAt: 999 })).toBe(true);
    expect(list.isRevoked({ sub: 'alice', originJti: null, issuedAt: 1000 })).toBe(false);
    expect(list.isRevoked({ sub: 'bob', originJti: null, issuedAt: 10 })).toBe(false);
  });

  it('refuses every token of a revoked session, whatever its iat', () => {
    const list = new RevocationList();
    list.apply({ kind: 'session', subject: 'origin-1', group: '', notBefore: 5, expiresAt: 99 });
    expect(list.isRevoked({ sub: 'alice', originJti: 'origin-1', issuedAt: 50 })).toBe(true);
    expect(list.isRevoked({ sub: 'alice', originJti: 'origin-2', issuedAt: 1 })).toBe(false);
    expect(list.isRevoked({ sub: 'alice', originJti: null, issuedAt: 1 })).toBe(false);
  });

  it('keeps the later notBefore whatever the order revocations arrive in', () => {
    const list = new RevocationList();
    list.apply(user('alice', 2000));
    list.apply(user('alice', 1000));
    expect(list.isRevoked({ sub: 'alice', originJti: null, issuedAt: 1500 })).toBe(true);
    expect(list.size).toBe(1);
  });

  it('takes a removed group out of tokens issued before the removal only', () => {
    const list = new RevocationList();
    list.apply({
      kind: 'group',
      subject: 'alice',
      group: 'admin',
      notBefore: 1000,
      expiresAt: 9e9,
    });
    const groups = ['admin', 'staff'];
    expect(list.currentGroups({ sub: 'alice', originJti: null, issuedAt: 999 }, groups)).toEqual([
      'staff',
    ]);
    expect(list.currentGroups({ sub: 'alice', originJti: null, issuedAt: 1000 }, groups)).toBe(
      groups,
    );
    expect(list.currentGroups({ sub: 'bob', originJti: null, issuedAt: 1 }, groups)).toBe(groups);
  });

  it('drops revocations that no valid token can match any more', () => {
    const list = new RevocationList();
    list.apply(user('alice', 1000, 2000));
    list.apply({ kind: 'session', subject: 'o', group: '', notBefore: 1, expiresAt: 3000 });
    list.apply({ kind: 'group', subject: 'bob', group: 'admin', notBefore: 1, expiresAt: 1500 });
    list.prune(2000);
    expect(list.size).toBe(1);
    expect(list.isRevoked({ sub: 'alice', originJti: null, issuedAt: 1 })).toBe(false);
    expect(list.isRevoked({ sub: 'x', originJti: 'o', issuedAt: 1 })).toBe(true);
  });
});

describe('parseRevocationNotice', () => {
  it('reads the payload the database trigger sends', () => {
    expect(parseRevocationNotice('["group","sub-1","admin",10,20]')).toEqual({
      kind: 'group',
      subject: 'sub-1',
      group: 'admin',
      notBefore: 10,
      expiresAt: 20,
    });
  });

  it.each([undefined, '', 'not json', '{}', '["other","s","",1,2]', '["user","s","","1",2]'])(
    'ignores a malformed payload (%p)',
    (payload) => {
      expect(parseRevocationNotice(payload)).toBeUndefined();
    },
  );
});
