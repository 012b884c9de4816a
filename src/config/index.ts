// The only code that reads process.env or vigil.toml. Parses everything once, reports every bad
// setting with its key and what is allowed, and returns a frozen object.
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { ConfigValueError, type KeyDef, type SectionDef, type SectionValues } from './define.ts';
import { agent } from './sections/agent.ts';
import { alerts } from './sections/alerts.ts';
import { anomaly } from './sections/anomaly.ts';
import { auth } from './sections/auth.ts';
import { database } from './sections/database.ts';
import { incidents } from './sections/incidents.ts';
import { ingest } from './sections/ingest.ts';
import { rollups } from './sections/rollups.ts';
import { server } from './sections/server.ts';

export const SECTIONS = {
  server,
  database,
  auth,
  agent,
  ingest,
  rollups,
  alerts,
  incidents,
  anomaly,
} as const;
type Sections = typeof SECTIONS;
export type Config = { readonly [S in keyof Sections]: SectionValues<Sections[S]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Path of vigil.toml; default VIGIL_CONFIG or ./vigil.toml when it exists. */
  file?: string;
  /** Values that win over everything (CLI flags, tests), as section.key → value. */
  overrides?: Partial<{ [S in keyof Sections]: Partial<Record<keyof Sections[S], unknown>> }>;
}

function readToml(path: string, explicit: boolean): Record<string, unknown> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`config file ${path}: cannot be read (${(e as Error).message})`]);
  }
  try {
    return parseToml(source) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError([`config file ${path}: not valid TOML: ${(e as Error).message.split('\n')[0]}`]);
  }
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicitFile = options.file ?? env.VIGIL_CONFIG;
  const file = explicitFile ?? 'vigil.toml';
  const toml = readToml(file, explicitFile !== undefined);
  const problems: string[] = [];

  for (const name of Object.keys(toml)) {
    if (!(name in SECTIONS))
      problems.push(`${file}: unknown section [${name}]; known: ${Object.keys(SECTIONS).join(', ')}`);
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const [sectionName, defs] of Object.entries(SECTIONS) as [string, SectionDef][]) {
    const fromFile = (toml[sectionName] ?? {}) as Record<string, unknown>;
    const fromOverrides = ((options.overrides as Record<string, Record<string, unknown>> | undefined)?.[
      sectionName
    ] ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(fromFile)) {
      if (!(key in defs)) problems.push(`${file}: unknown key ${sectionName}.${key}`);
    }
    const values: Record<string, unknown> = {};
    for (const [key, def] of Object.entries(defs) as [string, KeyDef<unknown>][]) {
      const envValue = env[def.env];
      let raw: unknown;
      let origin: string;
      if (key in fromOverrides) [raw, origin] = [fromOverrides[key], 'override'];
      else if (envValue !== undefined && envValue !== '') [raw, origin] = [envValue, def.env];
      else if (key in fromFile) [raw, origin] = [fromFile[key], file];
      else {
        values[key] = def.default;
        continue;
      }
      try {
        values[key] = def.parse(raw);
      } catch (e) {
        if (!(e instanceof ConfigValueError)) throw e;
        const shown = def.secret ? '(secret)' : JSON.stringify(raw);
        problems.push(`config ${sectionName}.${key} (${origin}) = ${shown}: must be ${e.message}`);
      }
    }
    result[sectionName] = Object.freeze(values);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(result) as unknown as Config;
}

/** Every key with its environment variable, default and doc: for docs and `vigil config`. */
export function describeConfig(): {
  key: string;
  env: string;
  default: unknown;
  allowed: string;
  doc: string;
}[] {
  return Object.entries(SECTIONS).flatMap(([s, defs]) =>
    Object.entries(defs as SectionDef).map(([k, d]) => ({
      key: `${s}.${k}`,
      env: d.env,
      default: d.default,
      allowed: d.allowed,
      doc: d.doc,
    })),
  );
}

export type { KeyDef, SectionDef } from './define.ts';
