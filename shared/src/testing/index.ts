export { getFreePort } from './ports';
export {
  startProcess,
  startRestartableProcess,
  waitForHttp,
  type RestartableProcess,
  type StartProcessOptions,
  type StartedProcess,
} from './process';
export { LogCapture } from './log-capture';
export { percentile } from './stats';
