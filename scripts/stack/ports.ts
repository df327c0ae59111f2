import { isPortFree } from '@authstack/shared';

export interface PortClaim {
  /** Who needs the port, e.g. `auth-server`. */
  owner: string;
  /** The environment variable that moves it, e.g. `AUTH_SERVER_PORT`. */
  variable: string;
  host: string;
  port: number;
}

/** Thrown before anything starts when a port the stack needs is taken; the message is one line. */
export class PortInUseError extends Error {
  constructor(readonly claim: PortClaim) {
    super(
      `Port ${claim.port} on ${claim.host} (${claim.owner}) is already in use: stop what holds it, or set ${claim.variable} to another port.`,
    );
    this.name = 'PortInUseError';
  }
}

/** Rejects with a `PortInUseError` naming the first claimed port that is taken. */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (!(await isPortFree(claim.host, claim.port))) throw new PortInUseError(claim);
  }
}
