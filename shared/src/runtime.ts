/** The Node major the containers and the Lambda run, and the AWS SDK needs from January 2027. */
export const SHIPPED_NODE_MAJOR = 22;

/**
 * The AWS SDK warns, in every process that loads it, in eight lines, that its releases after
 * the first week of January 2027 need Node 22. Turns that off for this process (and the
 * processes it starts, which inherit the setting) and returns the one line to say instead,
 * once, by whoever starts; undefined on Node 22 or newer, where there is nothing to say.
 */
export function takeOverSdkRuntimeNotice(): string | undefined {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= SHIPPED_NODE_MAJOR) return undefined;
  return `Node ${process.version}: the AWS SDK's releases after the first week of January 2027 need Node ${SHIPPED_NODE_MAJOR} (what the containers and the Lambda run); upgrade before then`;
}
