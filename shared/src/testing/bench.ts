import os from 'node:os';

/**
 * The first line of every benchmark: what it measures and on which runtime and machine, so
 * that figures from Node 20 and Node 22 (what the containers and the Lambda run) are never
 * compared by mistake.
 */
export function benchHeader(title: string): string {
  return `# ${title} — Node ${process.version}, ${os.platform()}/${os.arch()}, ${os.availableParallelism()} CPUs`;
}
