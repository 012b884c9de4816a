import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyslogFramer, limitsAt, parseSyslog } from '../../src/ingest/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = limitsAt(NOW);
const ctx = { peer: '127.0.0.1' };

test('RFC 5424 with structured data and a BOM', () => {
  const r = parseSyslog(
    '<165>1 2026-03-01T11:59:58.123456Z mymachine.example.com evntslog 4242 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication"][x@1 a="b\\]"] \uFEFFAn application event',
    ctx,
    limits,
  );
  assert.deepEqual(r.errors, []);
  const log = r.logs[0];
  assert.equal(log?.severity, 5);
  assert.equal(log?.host.hostname, 'mymachine.example.com');
  assert.equal(log?.source, 'evntslog');
  assert.equal(log?.message, 'An application event');
  assert.equal(log?.tsUs, Date.parse('2026-03-01T11:59:58.123Z') * 1000 + 456);
  assert.deepEqual(log?.context, {
    format: 'rfc5424',
    procid: '4242',
    msgid: 'ID47',
    facility: 20,
    structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'App"lication' }, 'x@1': { a: 'b]' } },
  });
});

test('RFC 5424 with nil fields takes the peer as hostname and now as time', () => {
  const log = parseSyslog('<11>1 - - - - - - disk failing', ctx, limits).logs[0];
  assert.deepEqual(
    [log?.host.hostname, log?.severity, log?.source, log?.message, log?.tsUs],
    ['127.0.0.1', 3, '', 'disk failing', NOW * 1000],
  );
});

test('RFC 3164 as logger and daemons send it', () => {
  const r = parseSyslog('<34>Mar  1 11:58:00 web-3 sshd[1234]: Failed password for root', ctx, limits);
  const log = r.logs[0];
  assert.equal(log?.severity, 2);
  assert.equal(log?.host.hostname, 'web-3');
  assert.equal(log?.source, 'sshd');
  assert.equal(log?.message, 'Failed password for root');
  assert.equal(log?.context.procid, '1234');
  assert.equal(new Date((log?.tsUs ?? 0) / 1000).getMinutes(), 58);
  const noHost = parseSyslog('<13>Mar  1 11:58:00 app: hello', ctx, limits).logs[0];
  assert.deepEqual([noHost?.host.hostname, noHost?.source, noHost?.message], ['127.0.0.1', 'app', 'hello']);
});

test('what cannot be stored is repaired; no PRI is refused with a reason', () => {
  const bad = parseSyslog('hello there', ctx, limits);
  assert.equal(bad.errors[0]?.field, 'pri');
  assert.equal(parseSyslog('<999>1 - - - - - - x', ctx, limits).errors[0]?.field, 'pri');
  const nul = parseSyslog(Buffer.from([0x3c, 0x31, 0x3e, 0x61, 0x00, 0xff, 0x62]), ctx, limits).logs[0];
  assert.equal(nul?.message, 'a\uFFFD\uFFFDb');
  const long = parseSyslog(`<1>${'x'.repeat(20_000)}`, ctx, limits).logs[0];
  assert.equal(long?.message.length, 16_384);
  assert.equal(long?.context.truncated, true);
});

test('TCP framing: octet counting and newlines, split across chunks, bounded', () => {
  const f = new SyslogFramer(100);
  const msg = '<13>1 - h a - - - hi';
  const out = [
    ...f.push(Buffer.from(`${msg.length} ${msg}<14>Mar  1 11:58:00 h x: line one\n<1`)),
    ...f.push(Buffer.from('5>Mar  1 11:58:00 h x: two\n12 <1')),
    ...f.push(Buffer.from('>1 - h a -')),
  ].map(String);
  assert.deepEqual(out, [
    msg,
    '<14>Mar  1 11:58:00 h x: line one',
    '<15>Mar  1 11:58:00 h x: two',
    '<1>1 - h a -',
  ]);
  assert.equal(f.push(Buffer.from('x'.repeat(250))).length, 1, 'an endless line is cut');
});
