/**
 * The floor of the verification bench: a bare Express 5 app (no helmet, no request logging,
 * no auth) answering `GET /v1/api/ping` like the resource-server does. What the server costs
 * per request beyond this is helmet, logging and the middleware under test.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/v1/api/ping', (_req, res) => {
  res.json({ ok: true });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
