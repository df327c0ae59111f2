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
export { parseRawHttpResponse, rawHttpExchange, type RawHttpResponse } from './raw-http';
export { percentile } from './stats';
export {
  freshStateDatabase,
  startStateDatabase,
  type FreshStateDatabase,
  type StateDatabase,
} from './state-db';
export {
  createDatabase,
  queryRows,
  SHARED_SERVER_VARIABLES,
  sharedServerPort,
  withDatabase,
  withoutSharedServer,
} from './shared-servers';
export {
  anyJson,
  authorizationHeader,
  claimsOf,
  contentType,
  describeFailure,
  houseRuleProblems,
  jwtLike,
  loneSurrogate,
  oddText,
  pathSegment,
  queryString,
  rawBody,
  reportable,
  requestIdHeader,
  resignedTokens,
  secretsIn,
  SentSecrets,
  sendRaw,
  type Authorization,
  type AuthorizationSources,
  type CredentialKind,
  type FuzzAnswer,
  type FuzzRequest,
  type HouseRules,
} from './http-fuzz';
export { benchHeader } from './bench';
