// The agent's spool: every batch is appended (one JSON line, fsync'd) before it is sent, and
// removed only after the server answered 2xx for it. A server restart, a network outage or an
// agent crash therefore loses nothing; batches are replayed in the order they were taken.
import { type FileHandle, open, rename } from 'node:fs/promises';

export class Spool {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  /** Runs fn after every earlier spool operation: appends and removals never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Appends one batch durably; false when the spool is full (the batch is not kept). */
  append(batch: unknown): Promise<boolean> {
    return this.serial(async () => {
      const fh = await open(this.path, 'a', 0o600);
      try {
        if ((await fh.stat()).size > this.maxBytes) return false;
        await fh.appendFile(`${JSON.stringify(batch)}\n`);
        await fh.sync();
        return true;
      } finally {
        await fh.close();
      }
    });
  }

  /** The spooled batches, oldest first, with the byte length of the prefix they occupy. */
  read(limit: number): Promise<{ batches: unknown[]; bytes: number }> {
    return this.serial(async () => {
      let fh: FileHandle;
      try {
        fh = await open(this.path, 'r');
      } catch {
        return { batches: [], bytes: 0 };
      }
      try {
        const text = (await fh.readFile()).toString('utf8');
        const batches: unknown[] = [];
        let bytes = 0;
        let start = 0;
        for (
          let nl = text.indexOf('\n');
          nl !== -1 && batches.length < limit;
          nl = text.indexOf('\n', start)
        ) {
          const line = text.slice(start, nl);
          bytes += Buffer.byteLength(line) + 1;
          start = nl + 1;
          try {
            batches.push(JSON.parse(line));
          } catch {
            // A torn last write (crash during append) is skipped, not replayed forever.
          }
        }
        return { batches, bytes };
      } finally {
        await fh.close();
      }
    });
  }

  /** Removes the first `bytes` bytes (batches the server acknowledged), durably. */
  consume(bytes: number): Promise<void> {
    return this.serial(async () => {
      const fh = await open(this.path, 'r+');
      try {
        const all = await fh.readFile();
        if (bytes >= all.length) {
          await fh.truncate(0);
          await fh.sync();
          return;
        }
        const tmp = `${this.path}.tmp`;
        const out = await open(tmp, 'w', 0o600);
        try {
          await out.writeFile(all.subarray(bytes));
          await out.sync();
        } finally {
          await out.close();
        }
        await rename(tmp, this.path);
      } finally {
        await fh.close();
      }
    });
  }
}
