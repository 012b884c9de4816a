// A small BatchWriter on a test app's pool, for tests that drive the writer directly.
import { BatchWriter } from '../../src/ingest/batch-writer.ts';
import type { TestApp } from './app.ts';

/** One writer, queue bounded at 100 rows; `lingerMs` > 0 lets requests share a transaction. */
export const testBatchWriter = (app: TestApp, lingerMs = 0) =>
  new BatchWriter({
    pool: app.db.pool,
    logger: app.vigil.ctx.logger,
    maxBatchRows: 100,
    maxQueuedRows: 100,
    maxQueuedBytes: 1 << 20,
    writers: 1,
    lingerMs,
  });
