export { createPool, redactUrl, type Pool, type PoolClient, type Queryable } from './pool.ts';
export { withTransaction, withRole } from './transaction.ts';
export { migrate, checkSchema, loadMigrations, type Migration, type MigrationStatus } from './migrator.ts';
export { startEmbedded, type EmbeddedServer } from './embedded.ts';
export { fromPgError, sqlstateOf } from './sqlstate.ts';
export { connectDatabase, type Database } from './connect.ts';
