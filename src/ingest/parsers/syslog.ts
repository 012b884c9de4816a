// Syslog messages into error_logs. Both formats in use today:
//   RFC 5424  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ELEMENT…]|- [MSG]
//   RFC 3164  <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG      (BSD; no year, no zone)
// severity = PRI & 7 (0 emergency .. 7 debug, the error_logs scale), facility = PRI >> 3.
// Senders cannot be told about a bad message (UDP has no reply), so what can be stored is:
// invalid UTF-8 becomes U+FFFD, NUL becomes U+FFFD, an over-long message is cut (and marked),
// a missing hostname is the peer's address. Only a message without a valid PRI is refused.
import { MAX_MESSAGE, MAX_SOURCE, checkLog } from '../validate.ts';
import { parseIsoUs } from '../time.ts';
import { type IngestLimits, type LogRow, type ParseResult, emptyResult } from '../types.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PRI_RE = /^<(\d{1,3})>/;
const BSD_TS_RE = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) /;
const TAG_RE = /^([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?:? ?/;
const lossy = new TextDecoder('utf-8', { fatal: false });

export interface SyslogContext {
  /** The sender's address: the hostname when the message has none. */
  peer: string;
}

/** Structured data `[id k="v" …][…]`: returns the elements and the rest of the text. */
function parseStructuredData(
  text: string,
): { sd: Record<string, Record<string, string>>; rest: string } | null {
  const sd: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === '[') {
    const idEnd = text.slice(i + 1).search(/[ \]]/);
    if (idEnd <= 0) return null;
    const id = text.slice(i + 1, i + 1 + idEnd);
    i += 1 + idEnd;
    const params: Record<string, string> = {};
    while (text[i] === ' ') {
      const eq = text.indexOf('="', i + 1);
      if (eq === -1) return null;
      const name = text.slice(i + 1, eq);
      let j = eq + 2;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && ['"', '\\', ']'].includes(text[j + 1] ?? '')) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) return null;
      params[name] = value;
      i = j + 1;
    }
    if (text[i] !== ']') return null;
    sd[id] = params;
    i++;
  }
  return { sd, rest: text.slice(i) };
}

const nil = (s: string | undefined) => (s === undefined || s === '-' ? undefined : s);

function parse5424(body: string, ctx: SyslogContext, nowMs: number) {
  // VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, then SD and MSG.
  const parts = body.split(' ');
  const [, ts, hostname, app, procid, msgid] = parts;
  const rest = parts.slice(6).join(' ');
  let tsUs: number | null = Math.round(nowMs * 1000);
  if (nil(ts) !== undefined) tsUs = parseIsoUs(ts as string);
  if (tsUs === null) return { reason: 'invalid RFC 5424 timestamp', field: 'timestamp' };
  let sdResult: ReturnType<typeof parseStructuredData> = { sd: {}, rest: rest.slice(1) };
  if (rest.startsWith('[')) sdResult = parseStructuredData(rest);
  else if (!rest.startsWith('-') && rest !== '')
    return { reason: 'invalid structured data', field: 'structured_data' };
  if (!sdResult) return { reason: 'invalid structured data', field: 'structured_data' };
  const message = sdResult.rest.replace(/^ /, '').replace(/^\uFEFF/, '');
  const context: Record<string, unknown> = { format: 'rfc5424' };
  if (nil(procid)) context.procid = procid;
  if (nil(msgid)) context.msgid = msgid;
  if (Object.keys(sdResult.sd).length > 0) context.structured_data = sdResult.sd;
  return { tsUs, hostname: nil(hostname) ?? ctx.peer, source: nil(app) ?? '', message, context };
}

function parse3164(body: string, ctx: SyslogContext, nowMs: number) {
  let tsUs = Math.round(nowMs * 1000);
  let rest = body;
  const m = BSD_TS_RE.exec(body);
  if (m) {
    // No year and no zone: the receiver's year and local time, as syslog daemons do; a date
    // more than a day ahead is last year's (December messages read in January).
    const now = new Date(nowMs);
    const month = MONTHS.indexOf(m[1] as string);
    const args = [month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])] as const;
    let d = new Date(now.getFullYear(), ...args);
    if (d.getTime() > nowMs + 86_400_000) d = new Date(now.getFullYear() - 1, ...args);
    if (month >= 0 && !Number.isNaN(d.getTime())) tsUs = d.getTime() * 1000;
    rest = body.slice(m[0].length);
  }
  let hostname = ctx.peer;
  // HOSTNAME is absent when the first word is already the tag ("sshd[12]:" or "app:").
  const first = /^(\S+) /.exec(rest);
  if (m && first && !/[:[]/.test(first[1] as string)) {
    hostname = first[1] as string;
    rest = rest.slice(first[0].length);
  }
  const tag = TAG_RE.exec(rest);
  const context: Record<string, unknown> = { format: 'rfc3164' };
  let source = '';
  if (tag && /[:[]/.test(tag[0])) {
    source = tag[1] as string;
    if (tag[2]) context.procid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  return { tsUs, hostname, source, message: rest, context };
}

/** One syslog frame as an error_logs row, or the reason it was refused. */
export function parseSyslog(
  frame: Uint8Array | string,
  ctx: SyslogContext,
  limits: IngestLimits,
): ParseResult {
  const result = emptyResult();
  result.total = 1;
  const text = (typeof frame === 'string' ? frame : lossy.decode(frame))
    .replace(/[\r\n]+$/, '')
    .replaceAll('\u0000', '\uFFFD');
  const pri = PRI_RE.exec(text);
  const priValue = pri ? Number(pri[1]) : -1;
  if (!pri || priValue > 191) {
    result.errors.push({ index: 0, field: 'pri', reason: 'message does not start with <PRI> (0-191)' });
    return result;
  }
  const body = text.slice(pri[0].length);
  const parsed = body.startsWith('1 ')
    ? parse5424(body, ctx, limits.nowMs)
    : parse3164(body, ctx, limits.nowMs);
  if ('reason' in parsed) {
    result.errors.push({ index: 0, field: parsed.field as string, reason: parsed.reason as string });
    return result;
  }
  const context = { ...parsed.context, facility: priValue >> 3 };
  let message = parsed.message.trim() === '' ? '(empty message)' : parsed.message;
  if (message.length > MAX_MESSAGE) {
    // Never cut a surrogate pair in half: a lone surrogate is not storable.
    const cut = /[\uD800-\uDBFF]/.test(message[MAX_MESSAGE - 1] ?? '') ? MAX_MESSAGE - 1 : MAX_MESSAGE;
    message = message.slice(0, cut);
    Object.assign(context, { truncated: true });
  }
  const hostname = parsed.hostname
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 253);
  const row: LogRow = {
    host: { hostname },
    tsUs: parsed.tsUs,
    severity: priValue & 7,
    source: parsed.source.slice(0, MAX_SOURCE),
    message,
    context,
  };
  const bad = checkLog(row, limits, 0);
  if (bad) result.errors.push(bad);
  else result.logs.push(row);
  return result;
}
