// The agent's spool: every batch is appended with its Idempotency-Key (one JSON line, fsync'd)
// before it is sent, and removed only after the server answered 2xx for it. A server restart, a
// network outage or an agent crash therefore loses nothing; batches are replayed in the order
// they were taken. Before a request is first sent, the entries it combines are replaced by one
// entry marked sent (see seal): a restarted agent finds the request exactly as it was offered.
import { type FileHandle, open } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.ts';
import { type AgentBatch, type SpoolEntry, decodeEntry, encodeEntry, group, newEntry } from './batch.ts';

export interface SpooledEntry extends SpoolEntry {
  /** Byte offset just past this entry's line (and any torn line before it). */
  end: number;
}

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

  /** Appends one batch and its key durably; false when the spool is full (it is not kept). */
  append(batch: AgentBatch): Promise<boolean> {
    return this.serial(async () => {
      const fh = await open(this.path, 'a', 0o600);
      try {
        if ((await fh.stat()).size > this.maxBytes) return false;
        await fh.appendFile(`${encodeEntry(newEntry(batch))}\n`);
        await fh.sync();
        return true;
      } finally {
        await fh.close();
      }
    });
  }

  /** Up to `limit` spooled entries, oldest first, with the byte length of the prefix they use. */
  read(limit: number): Promise<{ entries: SpooledEntry[]; bytes: number }> {
    return this.serial(async () => {
      let fh: FileHandle;
      try {
        fh = await open(this.path, 'r');
      } catch {
        return { entries: [], bytes: 0 };
      }
      try {
        const text = (await fh.readFile()).toString('utf8');
        const entries: SpooledEntry[] = [];
        let bytes = 0;
        let start = 0;
        for (
          let nl = text.indexOf('\n');
          nl !== -1 && entries.length < limit;
          nl = text.indexOf('\n', start)
        ) {
          const line = text.slice(start, nl);
          bytes += Buffer.byteLength(line) + 1;
          start = nl + 1;
          // A torn write (crash during append) is skipped, not replayed forever.
          const entry = decodeEntry(line);
          if (entry) entries.push({ ...entry, end: bytes });
        }
        return { entries, bytes };
      } finally {
        await fh.close();
      }
    });
  }

  /**
   * Replaces the leading `entries` (as read) by one entry holding them all, marked sent, before
   * its first attempt: from then on the request, its body and its key are fixed on disk.
   */
  seal(entries: readonly SpooledEntry[]): Promise<SpooledEntry> {
    const last = entries[entries.length - 1];
    if (!last) throw new Error('seal: no entries');
    const sealed = group(entries);
    const line = `${encodeEntry(sealed)}\n`;
    return this.serial(async () => {
      await this.replacePrefix(last.end, line);
      return { ...sealed, end: Buffer.byteLength(line) };
    });
  }

  /** Removes the first `bytes` bytes (entries the server acknowledged), durably. */
  consume(bytes: number): Promise<void> {
    return this.serial(() => this.replacePrefix(bytes, ''));
  }

  private async replacePrefix(bytes: number, head: string): Promise<void> {
    const fh = await open(this.path, 'r+');
    try {
      const all = await fh.readFile();
      if (head === '' && bytes >= all.length) {
        await fh.truncate(0);
        await fh.sync();
        return;
      }
      await writeFileAtomic(this.path, Buffer.concat([Buffer.from(head), all.subarray(bytes)]));
    } finally {
      await fh.close();
    }
  }
}
