/**
 * The resources an upgrade must never replace (infra/constructs/data-protection.ts,
 * `neverReplace`), as a released version synthesised them, and the check that
 * compares a new version against them with the engine `cdk diff` uses.
 *
 * `npm run upgrade-baseline` records the current ones into
 * upgrade-baseline.json. Record only on purpose: to guard a resource that is
 * new, or after a replacement that the release notes and docs/deploy.md
 * ("Upgrading") tell clinics how to survive.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fullDiff, type ResourceDifference, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { irreplaceableResources } from '../../infra/constructs/data-protection';
import { indexChanges } from '../../shared/tables';
import { type Synthesized, synthesize } from './support';

export const BASELINE_FILE = fileURLToPath(new URL('./upgrade-baseline.json', import.meta.url));

/** The config the baseline is recorded with. */
export const BASELINE_CONFIG = 'example';

export interface GuardedResource {
  Type: string;
  /** What a replacement would lose (the `neverReplace` reason). */
  Why: string;
  Properties: Record<string, unknown>;
}

/** Stack role (`Stateful`, `Stateless`) → logical id → resource. */
export type Baseline = Record<string, Record<string, GuardedResource>>;

/** The guarded resources of a synthesised app, with their template properties. */
export function guardedResources(synth: Synthesized): Baseline {
  const baseline: Baseline = {};
  for (const [role, stack, template] of [
    ['Stateful', synth.stateful, synth.statefulTemplate],
    ['Stateless', synth.stateless, synth.statelessTemplate],
  ] as const) {
    const all = template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>;
    const guarded: Record<string, GuardedResource> = {};
    for (const { logicalId, type, why } of irreplaceableResources(stack)) {
      guarded[logicalId] = {
        Type: type,
        Why: why,
        Properties: (all[logicalId]?.Properties ?? {}) as Record<string, unknown>,
      };
    }
    baseline[role] = guarded;
  }
  return baseline;
}

export function readBaseline(file = BASELINE_FILE): Baseline {
  return JSON.parse(readFileSync(file, 'utf8')) as Baseline;
}

/** Impacts of a change that leave a clinic without the resource it had. */
const LOSING: ReadonlySet<ResourceImpact> = new Set([
  ResourceImpact.WILL_REPLACE,
  ResourceImpact.MAY_REPLACE,
  ResourceImpact.WILL_DESTROY,
  ResourceImpact.WILL_ORPHAN,
]);

/**
 * What an upgrade from `released` to `current` would do to a guarded
 * resource: replace it (a property whose change requires replacement),
 * or drop it (a new logical id, a new type, or no longer in the app). One
 * line per problem; none means the upgrade keeps every guarded resource.
 *
 * @param released - the recorded baseline
 * @param current - the guarded resources as the code synthesises them now
 */
export function upgradeProblems(released: Baseline, current: Baseline): string[] {
  const problems: string[] = [];
  for (const [role, resources] of Object.entries(released)) {
    const now = current[role] ?? {};
    const asTemplate = (set: Record<string, GuardedResource>) => ({
      Resources: Object.fromEntries(
        Object.entries(set).map(([id, r]) => [id, { Type: r.Type, Properties: r.Properties }]),
      ),
    });
    const changes = new Map<string, ResourceDifference>();
    fullDiff(asTemplate(resources), asTemplate(now)).resources.forEachDifference((id, change) =>
      changes.set(id, change),
    );
    for (const [logicalId, resource] of Object.entries(resources)) {
      const change = changes.get(logicalId);
      if (!now[logicalId]) {
        problems.push(
          `${role} ${logicalId} (${resource.Type}) is gone: a new logical id or its removal would drop it, and ${resource.Why}`,
        );
      } else if (change && LOSING.has(change.changeImpact)) {
        const properties = Object.entries(change.propertyUpdates)
          .filter(([, update]) => update.changeImpact !== undefined && LOSING.has(update.changeImpact))
          .map(([name]) => name);
        problems.push(
          `${role} ${logicalId} (${resource.Type}) would be ${change.changeImpact === ResourceImpact.MAY_REPLACE ? 'possibly ' : ''}replaced` +
            `${properties.length ? ` (${properties.join(', ')} changed)` : ''}: ${resource.Why}`,
        );
      }
    }
  }
  return problems;
}

interface IndexShape {
  IndexName: string;
}

/** A table's indexes by name, each as its template states it (keys and projection). */
function indexesOf(resource: GuardedResource): Map<string, string> {
  const indexes = (resource.Properties.GlobalSecondaryIndexes ?? []) as IndexShape[];
  return new Map(indexes.map((index) => [index.IndexName, JSON.stringify(index)]));
}

/**
 * What one deploy from `released` to `current` would ask of each table's
 * indexes that DynamoDB refuses: it creates or deletes one global secondary
 * index per table update (an index whose keys or projection changed is
 * both: it must be deleted and created again), so CloudFormation fails an
 * update that does more, and rolls it back. One line per table.
 *
 * @param released - the recorded baseline (or any earlier synthesis)
 * @param current - the resources the next deploy would have
 */
export function indexUpdateProblems(released: Baseline, current: Baseline): string[] {
  const problems: string[] = [];
  for (const [role, resources] of Object.entries(released)) {
    for (const [logicalId, resource] of Object.entries(resources)) {
      const next = current[role]?.[logicalId];
      if (resource.Type !== 'AWS::DynamoDB::Table' || !next) continue;
      const { dropped, added } = indexChanges(indexesOf(resource), indexesOf(next));
      if (dropped.length + added.length > 1) {
        problems.push(
          `${role} ${logicalId}: one update would ${[
            ...(dropped.length ? [`drop ${dropped.join(', ')}`] : []),
            ...(added.length ? [`add ${added.join(', ')}`] : []),
          ].join(' and ')}; DynamoDB adds or drops one index per update`,
        );
      }
    }
  }
  return problems;
}

/** Guarded resources of `current` that the baseline does not guard yet. */
export function unguarded(released: Baseline, current: Baseline): string[] {
  return Object.entries(current).flatMap(([role, resources]) =>
    Object.keys(resources)
      .filter((logicalId) => !released[role]?.[logicalId])
      .map((logicalId) => `${role} ${logicalId}`),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(BASELINE_FILE, `${JSON.stringify(guardedResources(synthesize(BASELINE_CONFIG)), null, 2)}\n`);
  execFileSync('npx', ['biome', 'format', '--write', BASELINE_FILE], { stdio: 'inherit' });
  console.log(`recorded ${BASELINE_FILE}`);
}
