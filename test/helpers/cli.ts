// Runs the real `vigil` executable (bin/vigil.js) in a child process with a controlled
// environment: never the developer's DATABASE_URL or vigil.toml, always a temporary data_dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const VIGIL_BIN = join(root, 'bin', 'vigil.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a CLI run gets: PATH/HOME only, plus the given variables. */
export function cliEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    VIGIL_CONFIG: '/dev/null',
    VIGIL_LOG_LEVEL: 'silent',
    ...env,
  };
}

export function spawnVigil(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [VIGIL_BIN, ...args], { cwd: root, env: cliEnv(env) });
}

/** Runs `vigil <args>` to completion (killed after timeoutMs) and collects its output. */
export function runVigil(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnVigil(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Lines of a stream, without the trailing empty one. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
