import type { Command } from 'commander';
import { findUserByName, listUsers, revokeTokens } from '../../auth/queries.ts';
import { createUserWithToken, issueToken } from '../../auth/users.ts';
import { ROLES, isRole } from '../../core/types.ts';
import { fail, loadConfigOrExit, printTable, withDatabase } from '../context.ts';

function expiry(days: string | undefined): Date | null {
  if (days === undefined) return null;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 3650)
    fail('--expires-in-days must be an integer from 1 to 3650', 2);
  return new Date(Date.now() + n * 86_400_000);
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('Manage users and their API tokens');

  user
    .command('create')
    .description('Create a user with one role and print its first API token (shown once)')
    .argument('[username]', 'login name (lowercase letters, digits, . _ @ -)')
    .requiredOption('-r, --role <role>', `one of ${ROLES.join(', ')}`)
    .option('-u, --username <name>', 'login name (instead of the argument)')
    .option('-e, --email <email>', 'e-mail address')
    .option('--expires-in-days <n>', 'token expiry in days (default: never)')
    .action(
      async (
        arg: string | undefined,
        opts: { role: string; username?: string; email?: string; expiresInDays?: string },
      ) => {
        const username = opts.username ?? arg ?? `${opts.role}-${Date.now().toString(36)}`;
        if (!isRole(opts.role)) fail(`--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`, 2);
        const expiresAt = expiry(opts.expiresInDays);
        const config = loadConfigOrExit();
        await withDatabase(
          config,
          async (db) => {
            const issued = await createUserWithToken(db.pool, {
              username,
              role: opts.role as never,
              email: opts.email ?? null,
              expiresAt,
            });
            process.stderr.write(
              `created user "${issued.user.username}" with role ${issued.user.role}; its token (shown once):\n`,
            );
            console.log(issued.token);
          },
          { migrate: true },
        );
      },
    );

  user
    .command('token')
    .description('Issue another API token for an existing user (shown once)')
    .argument('<username>')
    .option('--name <name>', 'a label for the token')
    .option('--expires-in-days <n>', 'token expiry in days (default: never)')
    .action(async (username: string, opts: { name?: string; expiresInDays?: string }) => {
      const expiresAt = expiry(opts.expiresInDays);
      await withDatabase(loadConfigOrExit(), async (db) => {
        const u = await findUserByName(db.pool, username);
        if (!u) fail(`no user named "${username}"`);
        const { token } = await issueToken(db.pool, u.id, { name: opts.name, expiresAt });
        console.log(token);
      });
    });

  user
    .command('list')
    .description('List users with their role and number of active tokens')
    .action(async () => {
      await withDatabase(loadConfigOrExit(), async (db) => {
        printTable(await listUsers(db.pool), [
          'id',
          'username',
          'role',
          'email',
          'active_tokens',
          'created_at',
        ]);
      });
    });

  user
    .command('revoke')
    .description("Revoke a user's tokens (all of them, or one with --token-id)")
    .argument('<username>')
    .option('--token-id <id>', 'revoke only this token')
    .action(async (username: string, opts: { tokenId?: string }) => {
      await withDatabase(loadConfigOrExit(), async (db) => {
        const u = await findUserByName(db.pool, username);
        if (!u) fail(`no user named "${username}"`);
        const tokenId = opts.tokenId === undefined ? undefined : Number(opts.tokenId);
        if (tokenId !== undefined && !Number.isInteger(tokenId)) fail('--token-id must be a number', 2);
        const n = await revokeTokens(db.pool, tokenId === undefined ? { userId: u.id } : { tokenId });
        console.log(`revoked ${n} token${n === 1 ? '' : 's'} of ${username}`);
      });
    });
}
