/** What the resource API answered, for the profile page to show as it came. */
export interface ResourceAnswer {
  status: number | 'no answer';
  body: string;
}

const DEFAULT_TIMEOUT_MS = 3_000;
/** The most of an answer that is shown. */
const MAX_BODY_CHARACTERS = 4_000;

/**
 * Calls the resource-server's `GET /users/me` with the session's access token, from the
 * server (the token never reaches the browser's script). A JSON answer is shown indented.
 */
export async function callResourceApi(
  apiBase: string,
  accessToken: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ResourceAnswer> {
  let response: globalThis.Response;
  try {
    response = await fetch(`${apiBase.replace(/\/+$/, '')}/users/me`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch {
    return {
      status: 'no answer',
      body: 'The resource API could not be reached; try again shortly.',
    };
  }
  const text = (await response.text()).slice(0, MAX_BODY_CHARACTERS);
  let body = text;
  try {
    body = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as it came
  }
  return { status: response.status, body };
}
