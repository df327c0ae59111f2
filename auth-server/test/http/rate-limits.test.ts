import { clientAddressKey } from '../../src/http/rate-limits';

describe('clientAddressKey', () => {
  it('keeps an IPv4 address as it is, also when it comes IPv4-mapped', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('groups IPv6 addresses by their /56', () => {
    const key = clientAddressKey('2001:db8:0:1::1');
    expect(clientAddressKey('2001:db8:0:ff::9')).toBe(key);
    expect(clientAddressKey('2001:DB8:0:42:0:0:0:42')).toBe(key);
    expect(clientAddressKey('2001:db8:0:100::1')).not.toBe(key);
    expect(clientAddressKey('2001:db8:1::1')).not.toBe(key);
  });
});
