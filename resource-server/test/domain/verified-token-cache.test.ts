import { VerifiedTokenCache } from '../../src/domain/verified-token-cache';
import { TestClock } from '../support/test-app';

const value = (n: number) => ({ n });

describe('VerifiedTokenCache', () => {
  it('returns an entry until the configured lifetime ends', () => {
    const clock = new TestClock();
    const cache = new VerifiedTokenCache<{ n: number }>({ max: 10, ttlMs: 60_000, now: clock.now });
    cache.set('token-a', value(1), clock.now() + 3_600_000);
    clock.advance(59);
    expect(cache.get('token-a')).toEqual({ n: 1 });
    clock.advance(2);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('never keeps an entry past the expiry of its token', () => {
    const clock = new TestClock();
    const cache = new VerifiedTokenCache<{ n: number }>({
      max: 10,
      ttlMs: 300_000,
      now: clock.now,
    });
    cache.set('token-a', value(1), clock.now() + 10_000);
    cache.set('expired', value(2), clock.now() - 1);
    expect(cache.get('expired')).toBeUndefined();
    clock.advance(9);
    expect(cache.get('token-a')).toEqual({ n: 1 });
    clock.advance(2);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('holds at most max entries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache<{ n: number }>({ max: 2, ttlMs: 60_000 });
    const later = Date.now() + 60_000;
    cache.set('a', value(1), later);
    cache.set('b', value(2), later);
    cache.get('a');
    cache.set('c', value(3), later);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.get('c')).toEqual({ n: 3 });
  });

  it.each([
    { max: 0, ttlMs: 60_000 },
    { max: 100, ttlMs: 0 },
  ])('is off with %o', (options) => {
    const cache = new VerifiedTokenCache<{ n: number }>(options);
    cache.set('a', value(1), Date.now() + 60_000);
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });

  it('tells tokens apart by their full content', () => {
    const cache = new VerifiedTokenCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    cache.set('header.payload.signature', value(1), Date.now() + 60_000);
    expect(cache.get('header.payload.signaturf')).toBeUndefined();
    expect(cache.get('header.payload.signature')).toEqual({ n: 1 });
  });

  it('answers only to the token it stored, even for another token with the same signature', () => {
    const cache = new VerifiedTokenCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    const signature = 'S'.repeat(342);
    cache.set(
      `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.${signature}`,
      value(1),
      Date.now() + 60_000,
    );
    expect(cache.get(`eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${signature}`)).toBeUndefined();
    expect(cache.get(signature.slice(-32))).toBeUndefined();
    expect(cache.get(`eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.${signature}`)).toEqual({ n: 1 });
  });

  it('on a clash of keys keeps the later token and never answers for the earlier with it', () => {
    const cache = new VerifiedTokenCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    const tail = 'T'.repeat(100);
    cache.set(`h.p.A${tail}`, value(1), Date.now() + 60_000);
    cache.set(`h.p.B${tail}`, value(2), Date.now() + 60_000);
    expect(cache.get(`h.p.B${tail}`)).toEqual({ n: 2 });
    expect(cache.get(`h.p.A${tail}`)).toBeUndefined();
  });
});
