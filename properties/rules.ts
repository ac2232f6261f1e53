/**
 * The rules of the stateful property, one fast-check command class per
 * command kind (Hypothesis-style named rules). Each holds plain generated
 * data (`arbitraries/rule-data.ts`), resolves it against the model's current
 * VAs when it runs (`arbitraries/resolve.ts`), records the concrete command
 * and executes it through the {@link StepRunner}, which checks every
 * invariant. `check` is always true: invalid requests are part of the test.
 */
import fc from 'fast-check';
import type { BoId, Command, CommandKind, SubjectCapabilities, TraceHeader, Via } from '../src/protocol/types.ts';
import { isFullCapabilities } from '../src/protocol/capabilities.ts';
import { U64_LIMIT } from '../src/protocol/types.ts';
import { formatCommand } from '../src/protocol/text.ts';
import { isThenable } from './maybe-async.ts';
import type { StepRunner } from './step-runner.ts';
import {
  boundaryDataArb,
  evictDataArb,
  deferredMapDataArb,
  deferredUnmapDataArb,
  insertDataArb,
  madviseDataArb,
  mapDataArb,
  objectDataArb,
  removeDataArb,
  spanDataArb,
  unmapDataArb,
  type BoundaryData,
  type DeferredMapData,
  type DeferredUnmapData,
  type EvictData,
  type InsertData,
  type MadviseData,
  type MapData,
  type ObjectData,
  type RemoveData,
  type SpanData,
  type UnmapData,
} from './arbitraries/rule-data.ts';
import {
  fitToVm,
  makeInvalid,
  resolveBo,
  resolveEndpoint,
  resolveGap,
  resolveMadviseSpan,
  resolveObjectVa,
  resolveOffset,
  resolveSpan,
  type ResolveEnv,
} from './arbitraries/resolve.ts';
import { GRANULE } from './arbitraries/granule.ts';
import { kernelOf } from './geometry.ts';

/** What the rules run against: the step runner and the list of commands executed so far. */
export interface RuleTarget {
  readonly runner: StepRunner;
  readonly executed: Command[];
}

/** fast-check's model slot; the rules keep no model of their own (the runner holds the reference model). */
export type RuleModel = Record<string, never>;

const DONE: Promise<void> = Promise.resolve();

/** The span a madvise falls back to when no VA without an object exists: two granules from the VM's start. */
const FALLBACK_SPAN = { start: { kind: 'slot', slot: 0 }, end: { kind: 'len', len: 2 } } as const;

function objectId(header: TraceHeader, index: number): BoId {
  const objs = header.objects;
  return objs.length === 0 ? 1 : objs[((index % objs.length) + objs.length) % objs.length]!.bo;
}

/** Base class: resolve, record, execute; `toString` prints the concrete command once it ran. */
abstract class Rule<D> implements fc.AsyncCommand<RuleModel, RuleTarget> {
  readonly data: D;
  private resolved: Command | null = null;

  constructor(data: D) {
    this.data = data;
  }

  /** The concrete command for the model's current state. */
  abstract resolve(env: ResolveEnv): Command;

  check(): boolean {
    return true;
  }

  run(_m: RuleModel, target: RuleTarget): Promise<void> {
    const runner = target.runner;
    const cmd = this.resolve({ header: runner.currentHeader, vas: runner.modelSnapshot.vas });
    this.resolved = cmd;
    target.executed.push(cmd);
    const r = runner.step(cmd);
    return isThenable(r) ? r.then(() => undefined) : DONE;
  }

  toString(): string {
    const body = this.resolved !== null ? formatCommand(this.resolved) : JSON.stringify(this.data);
    return `${this.constructor.name}(${body})`;
  }
}

/** `map`: a request over an anchored span, often contiguous with a VA; either via, sometimes an injected failure or an invalid request. */
export class MapRule extends Rule<MapData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const raw = resolveSpan(env, d.span);
    const s = d.invalid !== undefined ? makeInvalid(env, raw, d.invalid) : fitToVm(env, raw);
    const chosen = resolveBo(env, d.bo);
    let { bo, offset } = resolveOffset(env, d.offset, s.addr, s.addr + s.range, chosen);
    if (d.invalid === 'offset-overflow') offset = U64_LIMIT - 1n;
    return {
      cmd: 'map',
      addr: s.addr,
      range: s.range,
      bo,
      offset,
      ...(d.via !== undefined ? { via: d.via } : {}),
      ...(d.failAt !== undefined ? { failAt: d.failAt } : {}),
      ...(d.allocFailAt !== undefined && d.via !== 'steps' ? { allocFailAt: d.allocFailAt } : {}),
    };
  }
}

/** `unmap`: a request over an anchored span, either via, sometimes an injected failure or an invalid request. */
export class UnmapRule extends Rule<UnmapData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const raw = resolveSpan(env, d.span);
    const s = d.invalid !== undefined ? makeInvalid(env, raw, d.invalid) : fitToVm(env, raw);
    return {
      cmd: 'unmap',
      addr: s.addr,
      range: s.range,
      ...(d.via !== undefined ? { via: d.via } : {}),
      ...(d.failAt !== undefined ? { failAt: d.failAt } : {}),
      ...(d.allocFailAt !== undefined && d.via !== 'steps' ? { allocFailAt: d.allocFailAt } : {}),
    };
  }
}

function spanOf(env: ResolveEnv, d: SpanData): { addr: bigint; range: bigint } {
  const s = resolveSpan(env, d.span);
  return d.invalid !== undefined ? makeInvalid(env, s, d.invalid) : s;
}

/** `prefetch` over an anchored span. */
export class PrefetchRule extends Rule<SpanData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const raw = resolveSpan(env, d.span);
    return { cmd: 'prefetch', ...(d.invalid !== undefined ? makeInvalid(env, raw, d.invalid) : fitToVm(env, raw)) };
  }
}

/** `find`: the VA exactly at an anchored span. */
export class FindRule extends Rule<SpanData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'find', ...spanOf(env, this.data) };
  }
}

/** `find_first` over an anchored span. */
export class FindFirstRule extends Rule<SpanData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'find_first', ...spanOf(env, this.data) };
  }
}

/** `interval_empty` over an anchored span. */
export class IntervalEmptyRule extends Rule<SpanData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'interval_empty', ...spanOf(env, this.data) };
  }
}

/** `find_prev` at an anchored boundary. */
export class FindPrevRule extends Rule<BoundaryData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'find_prev', start: resolveEndpoint(env, this.data.point) };
  }
}

/** `find_next` at an anchored boundary. */
export class FindNextRule extends Rule<BoundaryData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'find_next', end: resolveEndpoint(env, this.data.point) };
  }
}

/** `insert`: often into a gap between VAs, so it succeeds; otherwise an anchored span. */
export class InsertRule extends Rule<InsertData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const s = (d.gap !== undefined ? resolveGap(env, d.gap) : null) ?? resolveSpan(env, d.span);
    const { bo, offset } = resolveOffset(env, d.offset, s.addr, s.addr + s.range, resolveBo(env, d.bo));
    return { cmd: 'insert', addr: s.addr, range: s.range, bo, offset };
  }
}

/** `remove`: usually an existing VA exactly (the kernel node included), sometimes an arbitrary span. */
export class RemoveRule extends Rule<RemoveData> {
  resolve(env: ResolveEnv): Command {
    const t = this.data.target;
    if (t.kind === 'va') {
      const k = kernelOf(env.header);
      const all = k !== null ? [...env.vas, { addr: k.addr, range: k.range }] : env.vas;
      if (all.length > 0) {
        const va = all[t.index % all.length]!;
        return { cmd: 'remove', addr: va.addr, range: va.range };
      }
      return { cmd: 'remove', addr: env.header.vm.start, range: 0x1000n };
    }
    return { cmd: 'remove', ...resolveSpan(env, t.span) };
  }
}

/** `bo_unmap` of one of the declared objects. */
export class BoUnmapRule extends Rule<ObjectData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'bo_unmap', bo: objectId(env.header, this.data.index) };
  }
}

/** `bo_get`: the driver takes a vm_bo reference. */
export class BoGetRule extends Rule<ObjectData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'bo_get', bo: objectId(env.header, this.data.index) };
  }
}

/** `bo_put`: the driver drops a reference it may or may not hold. */
export class BoPutRule extends Rule<ObjectData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'bo_put', bo: objectId(env.header, this.data.index) };
  }
}

/** `evict` / un-evict one object. */
export class EvictRule extends Rule<EvictData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'evict', bo: objectId(env.header, this.data.index), evict: this.data.evict };
  }
}

/** `validate` the evict list. */
export class ValidateRule extends Rule<Record<string, never>> {
  resolve(): Command {
    return { cmd: 'validate' };
  }
}

type AnyRule = fc.AsyncCommand<RuleModel, RuleTarget>;

/**
 * `madvise`: a split-only request over a span whose ends often fall inside
 * VAs, mostly with a NULL request as xe passes it; sometimes an injected
 * failure or an invalid request.
 */
export class MadviseRule extends Rule<MadviseData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const raw = resolveMadviseSpan(env, d.target, FALLBACK_SPAN);
    const s = d.invalid !== undefined ? makeInvalid(env, raw, d.invalid) : fitToVm(env, raw);
    const offset = d.invalid === 'offset-overflow' ? U64_LIMIT - 1n : BigInt(d.offset) * GRANULE;
    return {
      cmd: 'madvise',
      addr: s.addr,
      range: s.range,
      bo: resolveBo(env, d.bo),
      offset,
      ...(d.failAt !== undefined ? { failAt: d.failAt } : {}),
      ...(d.allocFailAt !== undefined ? { allocFailAt: d.allocFailAt } : {}),
    };
  }
}

/** Whether a `defer` request goes out as such: in an immediate VM, or as a probe that must be refused. */
function keepsDefer(env: ResolveEnv, probe: boolean): boolean {
  return env.header.flags?.immediate === true || probe;
}

/**
 * A map the way immediate-mode drivers run it in run_job: steps mode with
 * `defer` (unlinks deferred, the vm_bo reference put deferred). In a VM that
 * is not immediate it is a plain steps-mode map, or (`probe`) stays deferred
 * and must be refused with EINVAL.
 */
export class DeferredMapRule extends Rule<DeferredMapData> {
  resolve(env: ResolveEnv): Command {
    const c = new MapRule(this.data.map).resolve(env) as Extract<Command, { cmd: 'map' }>;
    const { allocFailAt: _ops, ...rest } = c;
    return { ...rest, via: 'steps', ...(keepsDefer(env, this.data.probe) ? { defer: true } : {}) };
  }
}

/**
 * An unmap in steps mode with `defer`, as immediate-mode drivers unmap:
 * mostly exactly one VA with an object (often its object's last, so a zombie
 * is left), else over a span like `UnmapRule`. In a VM that is not immediate,
 * as `DeferredMapRule`.
 */
export class DeferredUnmapRule extends Rule<DeferredUnmapData> {
  resolve(env: ResolveEnv): Command {
    const d = this.data;
    const exact = d.va === undefined || d.unmap.invalid !== undefined ? null : resolveObjectVa(env, d.va);
    const c = exact !== null ? { cmd: 'unmap' as const, ...exact } : (new UnmapRule(d.unmap).resolve(env) as Extract<Command, { cmd: 'unmap' }>);
    const { allocFailAt: _ops, via: _via, failAt: _failAt, ...rest } = c;
    const failAt = d.unmap.failAt !== undefined ? { failAt: d.unmap.failAt } : {};
    return { ...rest, via: 'steps', ...failAt, ...(keepsDefer(env, d.probe) ? { defer: true } : {}) };
  }
}

/** `bo_put_deferred`: the driver drops a reference deferred (a zombie if it was the last). */
export class BoPutDeferredRule extends Rule<ObjectData> {
  resolve(env: ResolveEnv): Command {
    return { cmd: 'bo_put_deferred', bo: objectId(env.header, this.data.index) };
  }
}

/** `deferred_cleanup`: free the zombies. */
export class DeferredCleanupRule extends Rule<Record<string, never>> {
  resolve(): Command {
    return { cmd: 'deferred_cleanup' };
  }
}

/**
 * Fits the staging fields of a map / unmap to what a subject supports: a
 * `via` it lacks becomes the one it has (explicit `steps` for a steps-only
 * subject), and `failAt` / `allocFailAt` it does not honour are dropped.
 */
function fitStaging<D extends { via: Via | undefined; failAt: number | undefined; allocFailAt: number | undefined }>(
  d: D,
  caps: SubjectCapabilities,
): D {
  let via = d.via;
  if (!caps.via.includes(via ?? 'ops')) via = caps.via.includes('ops') ? undefined : 'steps';
  const failAt = caps.failAt ? d.failAt : undefined;
  const allocFailAt = caps.allocFailAt && via !== 'steps' ? d.allocFailAt : undefined;
  return via === d.via && failAt === d.failAt && allocFailAt === d.allocFailAt ? d : { ...d, via, failAt, allocFailAt };
}

/** `failAt` / `allocFailAt` of a madvise dropped when the subject does not honour them. */
function fitInjection<D extends { failAt: number | undefined; allocFailAt: number | undefined }>(d: D, caps: SubjectCapabilities): D {
  const failAt = caps.failAt ? d.failAt : undefined;
  const allocFailAt = caps.allocFailAt ? d.allocFailAt : undefined;
  return failAt === d.failAt && allocFailAt === d.allocFailAt ? d : { ...d, failAt, allocFailAt };
}

/** A rule of {@link weightedRules}: its command kind, whether it sends `defer`, its weight and its arbitrary. */
interface WeightedRule {
  readonly kind: CommandKind;
  readonly needsDefer?: true;
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<AnyRule>;
}

/** Every rule with its weight and command kind, so that the maps dominate (they are the point) while every kind still appears in a few dozen commands. */
function weightedRules(caps: SubjectCapabilities | null): WeightedRule[] {
  const mapData = caps === null ? mapDataArb : mapDataArb.map((d) => fitStaging(d, caps));
  const unmapData = caps === null ? unmapDataArb : unmapDataArb.map((d) => fitStaging(d, caps));
  const madviseData = caps === null ? madviseDataArb : madviseDataArb.map((d) => fitInjection(d, caps));
  const deferredMapData = caps === null ? deferredMapDataArb : deferredMapDataArb.map((d) => ({ ...d, map: fitStaging(d.map, caps) }));
  const deferredUnmapData =
    caps === null ? deferredUnmapDataArb : deferredUnmapDataArb.map((d) => ({ ...d, unmap: fitStaging(d.unmap, caps) }));
  return [
    { kind: 'map', weight: 12, arbitrary: mapData.map((d) => new MapRule(d)) },
    { kind: 'unmap', weight: 4, arbitrary: unmapData.map((d) => new UnmapRule(d)) },
    { kind: 'insert', weight: 2, arbitrary: insertDataArb.map((d) => new InsertRule(d)) },
    { kind: 'remove', weight: 2, arbitrary: removeDataArb.map((d) => new RemoveRule(d)) },
    { kind: 'prefetch', weight: 1, arbitrary: spanDataArb.map((d) => new PrefetchRule(d)) },
    { kind: 'bo_unmap', weight: 1, arbitrary: objectDataArb.map((d) => new BoUnmapRule(d)) },
    { kind: 'find', weight: 1, arbitrary: spanDataArb.map((d) => new FindRule(d)) },
    { kind: 'find_first', weight: 1, arbitrary: spanDataArb.map((d) => new FindFirstRule(d)) },
    { kind: 'interval_empty', weight: 1, arbitrary: spanDataArb.map((d) => new IntervalEmptyRule(d)) },
    { kind: 'find_prev', weight: 1, arbitrary: boundaryDataArb.map((d) => new FindPrevRule(d)) },
    { kind: 'find_next', weight: 1, arbitrary: boundaryDataArb.map((d) => new FindNextRule(d)) },
    { kind: 'bo_get', weight: 1, arbitrary: objectDataArb.map((d) => new BoGetRule(d)) },
    { kind: 'bo_put', weight: 1, arbitrary: objectDataArb.map((d) => new BoPutRule(d)) },
    { kind: 'evict', weight: 1, arbitrary: evictDataArb.map((d) => new EvictRule(d)) },
    { kind: 'validate', weight: 1, arbitrary: fc.constant(null).map(() => new ValidateRule({})) },
    // The rules of the VM modes, madvise and deferred cleanup come last.
    { kind: 'madvise', weight: 3, arbitrary: madviseData.map((d) => new MadviseRule(d)) },
    { kind: 'map', needsDefer: true, weight: 1, arbitrary: deferredMapData.map((d) => new DeferredMapRule(d)) },
    { kind: 'unmap', needsDefer: true, weight: 2, arbitrary: deferredUnmapData.map((d) => new DeferredUnmapRule(d)) },
    { kind: 'bo_put_deferred', weight: 1, arbitrary: objectDataArb.map((d) => new BoPutDeferredRule(d)) },
    { kind: 'deferred_cleanup', weight: 1, arbitrary: fc.constant(null).map(() => new DeferredCleanupRule({})) },
  ];
}

/** One arbitrary over every rule (the generator for a subject that supports everything). */
export const ruleArb: fc.Arbitrary<AnyRule> = fc.oneof(...weightedRules(null).map(({ weight, arbitrary }) => ({ weight, arbitrary })));

/**
 * The rules a subject with `caps` can run: only the command kinds it lists,
 * with `via`, `failAt` and `allocFailAt` fitted to it (see `fitStaging`).
 * For full capabilities this is {@link ruleArb} itself, so a subject that
 * supports everything sees exactly the same runs for the same seed. Throws
 * when `caps` lists no command.
 */
export function ruleArbFor(caps: SubjectCapabilities): fc.Arbitrary<AnyRule> {
  if (isFullCapabilities(caps)) return ruleArb;
  const rules = weightedRules(caps).filter(
    (r) => caps.commands.includes(r.kind) && (r.needsDefer !== true || (caps.defer === true && caps.via.includes('steps'))),
  );
  if (rules.length === 0) throw new Error('ruleArbFor: the subject supports no command');
  return fc.oneof(...rules.map(({ weight, arbitrary }) => ({ weight, arbitrary })));
}
