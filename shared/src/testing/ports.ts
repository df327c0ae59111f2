import { isPortFree } from '../ports';

/**
 * Test ports come from below Linux's ephemeral range (32768–60999 by default; macOS starts
 * at 49152): the kernel never hands those out for a `listen(0)` or the local end of an
 * outgoing connection, so a port chosen here cannot be taken by some process's connection
 * between the choice and its use. Each jest worker has its own slice of the range, so two
 * workers never choose the same port either.
 */
const FIRST_PORT = 15_000;
const SLICE_SIZE = 2_000;
const SLICES = 8;

const worker = Number(process.env.JEST_WORKER_ID) || (process.pid % SLICES) + 1;
const sliceStart = FIRST_PORT + ((worker - 1) % SLICES) * SLICE_SIZE;
/** Where this process looks next in its slice (a random start: a rerun does not reuse the last run's ports first). */
let cursor = Math.floor(Math.random() * SLICE_SIZE);

/**
 * A TCP port on 127.0.0.1 that is free now and that no other jest worker, and no port the
 * kernel picks, will take (see above). Each call gives a different one.
 */
export async function getFreePort(): Promise<number> {
  for (let tried = 0; tried < SLICE_SIZE; tried += 1) {
    const port = sliceStart + (cursor % SLICE_SIZE);
    cursor += 1;
    if (await isPortFree('127.0.0.1', port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}–${sliceStart + SLICE_SIZE - 1}`);
}
