export { getFreePort } from './ports';
export {
  startProcess,
  waitForHttp,
  type StartProcessOptions,
  type StartedProcess,
} from './process';
export { LogCapture } from './log-capture';
