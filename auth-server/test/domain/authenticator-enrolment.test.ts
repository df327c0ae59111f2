import { Secret, TOTP, URI } from 'otpauth';
import { authenticatorEnrolment } from '../../src/domain/authenticator-enrolment';

/** 32 random bytes in base32, 52 characters: the shape of Cognito's SecretCode. */
const SECRET = new Secret({ size: 32 }).base32;

describe('authenticatorEnrolment', () => {
  it('names the issuer and the email in an otpauth URI another library reads as Cognito checks codes', () => {
    const { otpauthUri, secret } = authenticatorEnrolment(
      SECRET,
      'ada+mfa@example.com',
      'Auth Stack',
    );
    expect(secret).toBe(SECRET);
    expect(otpauthUri.startsWith('otpauth://totp/Auth%20Stack:ada%2Bmfa%40example.com?')).toBe(
      true,
    );

    const parsed = URI.parse(otpauthUri);
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({
      issuer: 'Auth Stack',
      label: 'ada+mfa@example.com',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(parsed.secret.base32).toBe(SECRET);
  });

  it('draws the URI as a QR code: an SVG image in a data URL', () => {
    const { qrCode } = authenticatorEnrolment(SECRET, 'ada@example.com', 'authstack');
    const match = /^data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)$/.exec(qrCode);
    expect(match).not.toBeNull();
    const svg = Buffer.from(match?.[1] ?? '', 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('<path');
    expect(svg).not.toContain(SECRET);

    const other = authenticatorEnrolment(SECRET, 'grace@example.com', 'authstack').qrCode;
    expect(other).not.toBe(qrCode);
  });
});
