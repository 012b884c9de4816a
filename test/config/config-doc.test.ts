// docs/configuration.md is generated from the key definitions; a key added or changed without
// regenerating the page fails here, so the page cannot go stale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeConfig } from '../../src/config/index.ts';
import { CONFIG_DOC, renderConfigDoc } from '../../scripts/gen-config-doc.ts';

test('docs/configuration.md is what scripts/gen-config-doc.ts generates', () => {
  const committed = readFileSync(CONFIG_DOC, 'utf8');
  assert.ok(committed === renderConfigDoc(), 'docs/configuration.md is out of date: run `npm run docs`');
});

test('the page lists every key with its environment variable', () => {
  const committed = readFileSync(CONFIG_DOC, 'utf8');
  const keys = describeConfig();
  assert.ok(keys.length >= 10);
  for (const k of keys) assert.ok(committed.includes(`| \`${k.key}\` | \`${k.env}\` |`), k.key);
});
