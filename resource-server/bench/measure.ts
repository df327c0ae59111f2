/** What the resource-server benches share: the load runner, medians and /proc readings (Linux). */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult } from './load';

const LOAD = path.join(__dirname, 'load.ts');
const run = promisify(execFile);

export const out = (line = ''): boolean => process.stdout.write(`${line}\n`);

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** User + system CPU time a process has used so far, in microseconds. */
export const cpuMicros = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
};

function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

/** Peak resident memory of a process, in MiB. */
export const peakRssMiB = (pid: number): number => statusMiB(pid, 'VmHWM');

/** Resident memory of a process now, in MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/** One autocannon run in its own process (bench/load.ts), every request with `Bearer token`. */
export async function load(
  url: string,
  seconds: number,
  connections: number,
  token: string,
): Promise<LoadResult> {
  const args = ['--import', 'tsx', LOAD, url, String(seconds), String(connections)];
  const { stdout } = await run(process.execPath, [...args, `Bearer ${token}`], {
    cwd: __dirname,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as LoadResult;
}
