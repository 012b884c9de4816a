// Creating, changing and exporting rules, shared by the API, the CLI and YAML files. Checks that
// need the database (the server named in scope exists, the channels exist, the scope or series
// matches something) happen here with the caller's role, so PostgreSQL still enforces that
// only admin writes rules.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { AppError, notFound, validationError } from '../core/errors.ts';
import type { Queryable } from '../db/pool.ts';
import {
  channelNames,
  deleteRule,
  getRule,
  hostnames,
  insertRule,
  listRules,
  scopeMatches,
  serverIdsByHostname,
  seriesExists,
  updateRule,
} from './queries-rules.ts';
import { parseRuleSpec, ruleToSpec } from './rule-spec.ts';
import type { Rule, RuleSpec } from './types.ts';

export interface WriteOptions {
  /** Accept a scope or series that matches nothing yet (servers that will appear later). */
  allowEmpty?: boolean;
  now: Date;
  userId?: number | null;
}

async function resolveSpec(db: Queryable, spec: RuleSpec, o: WriteOptions) {
  let serverId: number | null = null;
  if (spec.scope_server !== null) {
    serverId = (await serverIdsByHostname(db, [spec.scope_server])).get(spec.scope_server) ?? null;
    if (serverId === null)
      throw validationError(
        `rule "${spec.name}": scope.server: no server with hostname "${spec.scope_server}"`,
      );
  }
  const known = await channelNames(db);
  const missing = spec.channels.filter((c) => !known.includes(c));
  if (missing.length > 0) {
    throw validationError(
      `rule "${spec.name}": channels: no channel named ${missing.map((m) => `"${m}"`).join(', ')} (known: ${known.join(', ') || 'none; create one first'})`,
    );
  }
  if (!o.allowEmpty) {
    const m = await scopeMatches(db, { region: spec.scope_region, serverId, labels: spec.scope_labels });
    if (m.matched === 0 && (spec.scope_region !== null || Object.keys(spec.scope_labels).length > 0)) {
      throw validationError(
        `rule "${spec.name}": scope matches no server${spec.scope_region !== null ? ` (region "${spec.scope_region}"; regions with servers: ${m.regions.join(', ') || 'none'})` : ''}${Object.keys(spec.scope_labels).length ? ` with labels ${JSON.stringify(spec.scope_labels)}` : ''}; pass allow_empty to create it anyway`,
      );
    }
    if (spec.metric_source === 'series' && !(await seriesExists(db, spec.metric, spec.series_labels))) {
      throw validationError(
        `rule "${spec.name}": no metric series named "${spec.metric}"${Object.keys(spec.series_labels).length ? ` with labels ${JSON.stringify(spec.series_labels)}` : ''} has been received; check the name, or pass allow_empty to create it anyway`,
      );
    }
  }
  const { scope_server: _ignored, ...rest } = spec;
  return { ...rest, scope_server_id: serverId };
}

export async function createRule(db: Queryable, raw: unknown, o: WriteOptions): Promise<Rule> {
  const spec = parseRuleSpec(raw);
  const stored = await resolveSpec(db, spec, o);
  if (await getRule(db, spec.name))
    throw new AppError('CONFLICT', `a rule named "${spec.name}" exists already`);
  return insertRule(db, stored, o.userId ?? null);
}

export async function replaceRule(db: Queryable, id: number, raw: unknown, o: WriteOptions): Promise<Rule> {
  const stored = await resolveSpec(db, parseRuleSpec(raw), o);
  const r = await updateRule(db, id, stored, o.now);
  if (!r) throw notFound(`rule ${id}`);
  return r;
}

export async function removeRule(db: Queryable, id: number): Promise<void> {
  if (!(await deleteRule(db, id))) throw notFound(`rule ${id}`);
}

/** Rules in the shape people write, with scope.server as a hostname. */
export async function describeRules(db: Queryable, rules: Rule[]): Promise<Record<string, unknown>[]> {
  const ids = rules.map((r) => r.scope_server_id).filter((x): x is number => x !== null);
  const names = ids.length ? await hostnames(db, ids) : new Map<number, string>();
  return rules.map((r) => ({
    id: r.id,
    ...ruleToSpec(r, r.scope_server_id === null ? null : (names.get(r.scope_server_id) ?? null)),
    updated_at: r.updated_at,
  }));
}

export async function exportRulesYaml(db: Queryable): Promise<string> {
  const rules = (await describeRules(db, await listRules(db))).map(({ id: _id, updated_at: _u, ...r }) => r);
  return `# Vigil alert rules (vigil alerts rules apply <file>); durations like 30s, 5m, 1h.\n${stringifyYaml({ rules })}`;
}

export interface ApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
}

/**
 * Applies a YAML document {rules: [...]} (config as code): rules are matched by name, created or
 * updated; with prune, rules missing from the file are deleted. All or nothing: the caller runs
 * it in one transaction, and every rule is validated before anything is written.
 */
export async function applyRulesYaml(
  db: Queryable,
  text: string,
  o: WriteOptions & { prune?: boolean; dryRun?: boolean },
): Promise<ApplyResult> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw validationError(`not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw validationError('the YAML document must have a top-level "rules:" list');
  const specs = list.map((r, i) => parseRuleSpec(r, `rules[${i}].`));
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw validationError(`rule "${s.name}" appears twice in the file`);
    seen.add(s.name);
  }
  const existing = new Map((await listRules(db)).map((r) => [r.name, r]));
  const result: ApplyResult = { created: [], updated: [], unchanged: [], deleted: [] };
  const current = new Map(
    (await describeRules(db, [...existing.values()])).map((r) => [r.name as string, r]),
  );
  for (const spec of specs) {
    const stored = await resolveSpec(db, spec, o);
    const before = existing.get(spec.name);
    if (!before) {
      if (!o.dryRun) await insertRule(db, stored, o.userId ?? null);
      result.created.push(spec.name);
      continue;
    }
    const { id: _i, updated_at: _u, ...was } = current.get(spec.name) ?? {};
    const now = ruleToSpec({ ...before, ...stored }, spec.scope_server);
    if (JSON.stringify(was) === JSON.stringify(now)) result.unchanged.push(spec.name);
    else {
      if (!o.dryRun) await updateRule(db, before.id, stored, o.now);
      result.updated.push(spec.name);
    }
  }
  if (o.prune) {
    for (const [name, r] of existing) {
      if (seen.has(name)) continue;
      if (!o.dryRun) await deleteRule(db, r.id);
      result.deleted.push(name);
    }
  }
  return result;
}
