export { getFreePort } from './ports';
export { waitForHttp } from '../http/wait-for-http';
export {
  startProcess,
  startRestartableProcess,
  type RestartableProcess,
  type StartProcessOptions,
  type StartedProcess,
} from './process';
export { LogCapture } from './log-capture';
export { percentile } from './stats';
export { startStateDatabase, type StateDatabase } from './state-db';
