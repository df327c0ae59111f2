import qrcode from 'qrcode-generator';

/** What a user needs to add the account to an authenticator app. */
export interface AuthenticatorEnrolment {
  /** The TOTP secret, base32, as the pool generated it (for typing in by hand). */
  secret: string;
  /** `otpauth://totp/…` (Google's Key URI format): SHA-1, 6 digits, 30 s, as Cognito checks codes. */
  otpauthUri: string;
  /** The otpauth URI as a QR code: an SVG image in a `data:` URL, for an `<img src>`. */
  qrCode: string;
}

/**
 * The otpauth URI and QR code of a new TOTP secret. The label is `issuer:account` and the
 * `issuer` parameter repeats it, so every authenticator app shows the service's name next
 * to the user's email.
 */
export function authenticatorEnrolment(
  secret: string,
  account: string,
  issuer: string,
): AuthenticatorEnrolment {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const otpauthUri =
    `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}` +
    `&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
  return { secret, otpauthUri, qrCode: qrCodeDataUrl(otpauthUri) };
}

/** Pixels of one QR module in the SVG's own units (the image scales to any size). */
const CELL = 4;
/** The quiet zone the QR specification asks for: four modules of white around the code. */
const QUIET_ZONE_MODULES = 4;

/** A QR code of `text` (error correction M, the smallest version that holds it) as an SVG data URL. */
function qrCodeDataUrl(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const svg = qr.createSvgTag({
    cellSize: CELL,
    margin: CELL * QUIET_ZONE_MODULES,
    scalable: true,
  });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
