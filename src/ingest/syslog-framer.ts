// Splits a syslog TCP stream into messages (RFC 6587): octet counting ("<len> <msg>") when a
// frame starts with a digit, otherwise non-transparent framing (one message per line), which is
// what util-linux logger and most daemons send by default. A frame is bounded: a sender that
// never ends one gets it cut at maxFrame bytes rather than growing memory.

const SPACE = 0x20;
const LF = 0x0a;

export class SyslogFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame = 64 * 1024) {}

  /** Frames completed by this chunk, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const b = this.buffer;
      if (b.length === 0) break;
      const first = b[0] as number;
      if (first === LF || first === 0x0d || first === 0) {
        this.buffer = b.subarray(1);
        continue;
      }
      if (first >= 0x30 && first <= 0x39) {
        const sp = b.indexOf(SPACE);
        const digits = sp === -1 ? b.length : sp;
        if (digits > 6 || (sp !== -1 && !/^\d+$/.test(b.subarray(0, sp).toString('latin1')))) {
          // Not a length prefix after all: treat it as a line.
          if (!this.takeLine(frames)) break;
          continue;
        }
        if (sp === -1) break; // the length is still arriving
        const len = Number(b.subarray(0, sp).toString('latin1'));
        if (len > this.maxFrame) {
          this.buffer = Buffer.alloc(0); // an absurd length: resynchronising is guesswork, drop
          break;
        }
        if (b.length < sp + 1 + len) break;
        frames.push(b.subarray(sp + 1, sp + 1 + len));
        this.buffer = b.subarray(sp + 1 + len);
        continue;
      }
      if (!this.takeLine(frames)) break;
    }
    if (this.buffer.length > this.maxFrame) {
      frames.push(this.buffer.subarray(0, this.maxFrame));
      this.buffer = Buffer.alloc(0);
    }
    return frames;
  }

  /** What is left when the connection closes (a last line without a newline). */
  end(): Buffer[] {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest.length > 0 ? [rest] : [];
  }

  private takeLine(frames: Buffer[]): boolean {
    const nl = this.buffer.indexOf(LF);
    if (nl === -1) return false;
    frames.push(this.buffer.subarray(0, nl));
    this.buffer = this.buffer.subarray(nl + 1);
    return true;
  }
}
