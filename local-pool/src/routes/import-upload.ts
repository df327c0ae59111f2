import express, { type Request, type Response, Router } from 'express';
import { IMPORT_CSV_MAX_BYTES } from '@authstack/shared';
import type { PoolContext } from '../domain/context';

/** An error as S3 answers a pre-signed request: XML `<Error><Code>…</Code><Message>…</Message></Error>`. */
function s3Error(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .type('application/xml')
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    );
}

/**
 * `PUT /_local/user-import/<token>`: the local stand-in for the S3 pre-signed URL that
 * CreateUserImportJob returns. Like Cognito's URL it takes the CSV as the raw body with
 * header `x-amz-server-side-encryption: aws:kms` (signed into Cognito's URL, so required),
 * any Content-Type, until 15 minutes after the job was created, and only before the job
 * starts; a second upload replaces the first, as a PUT to S3 does.
 */
export function importUploadRouter(context: PoolContext): Router {
  const router = Router();
  router.put(
    '/_local/user-import/:token',
    express.raw({ type: () => true, limit: IMPORT_CSV_MAX_BYTES }),
    (req: Request, res: Response) => {
      const job = context.store.importJobs.byUploadToken(String(req.params.token));
      if (!job) {
        s3Error(res, 403, 'AccessDenied', 'Access Denied');
        return;
      }
      if (job.uploadExpiresAt <= context.clock()) {
        s3Error(res, 403, 'AccessDenied', 'Request has expired');
        return;
      }
      if (req.header('x-amz-server-side-encryption') !== 'aws:kms') {
        s3Error(
          res,
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Send the header x-amz-server-side-encryption: aws:kms.',
        );
        return;
      }
      const stored = context.store.transaction(() => {
        const current = context.store.importJobs.byUploadToken(job.uploadToken);
        if (current?.status !== 'Created') return false;
        context.store.importJobs.putCsv(
          job.id,
          Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        );
        return true;
      });
      if (!stored) {
        s3Error(res, 403, 'AccessDenied', `Import job ${job.id} no longer takes an upload.`);
        return;
      }
      context.logger.info({ jobId: job.id, poolId: job.poolId }, 'user import file uploaded');
      res.status(200).end();
    },
  );
  router.use(
    '/_local/user-import',
    (error: unknown, _req: Request, res: Response, next: (error?: unknown) => void) => {
      const status = (error as { status?: number }).status;
      if (status === 413) {
        s3Error(res, 400, 'EntityTooLarge', 'The CSV file is larger than 100 MB.');
        return;
      }
      if (typeof status === 'number' && status >= 400 && status < 500) {
        s3Error(res, 400, 'IncompleteBody', 'The request body could not be read.');
        return;
      }
      next(error);
    },
  );
  return router;
}
