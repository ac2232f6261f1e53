/**
 * The plain data each generated rule holds. Nothing here is an address yet:
 * an endpoint is an anchor (the index of an existing VA boundary, resolved
 * against the model's VAs when the command runs, plus a small delta in
 * granules) or a slot on the grid; an object is an index; an offset is either
 * "contiguous with the nth nearby VA" or a grid value. Resolution happens in
 * `resolve.ts`. Because the data is plain, shrinking works on it directly and a
 * shrunk command still resolves to something sensible.
 */
import fc from 'fast-check';
import type { Via } from '../../src/protocol/types.ts';
import { VM_GRANULES, WINDOW_MARGIN } from './granule.ts';

/** An address: an existing boundary plus `delta` granules, or a grid slot (granules from the VM start). */
export type Endpoint =
  | { readonly kind: 'anchor'; readonly index: number; readonly delta: number }
  | { readonly kind: 'slot'; readonly slot: number };

/** The end of a span: an anchored boundary, or a length in granules. */
export type SpanEnd =
  | { readonly kind: 'anchor'; readonly index: number; readonly delta: number }
  | { readonly kind: 'len'; readonly len: number };

/** A request range. */
export interface Span {
  readonly start: Endpoint;
  readonly end: SpanEnd;
}

/** The ways a generated request is made invalid on purpose. */
export type Invalid = 'zero-range' | 'overflow' | 'outside-vm' | 'over-kernel' | 'offset-overflow';

/** A map's object: NULL or the nth declared object. */
export type BoChoice = { readonly kind: 'null' } | { readonly kind: 'obj'; readonly index: number };

/** A map's offset: contiguous with the nth VA near the request, or a grid value. */
export type OffsetChoice =
  | { readonly kind: 'contig'; readonly index: number; readonly adoptBo: boolean }
  | { readonly kind: 'abs'; readonly granules: number };

/** Data of a map rule. */
export interface MapData {
  readonly span: Span;
  readonly bo: BoChoice;
  readonly offset: OffsetChoice;
  readonly via: Via | undefined;
  readonly failAt: number | undefined;
  readonly allocFailAt: number | undefined;
  readonly invalid: Invalid | undefined;
}

/** Data of an unmap rule. */
export interface UnmapData {
  readonly span: Span;
  readonly via: Via | undefined;
  readonly failAt: number | undefined;
  readonly allocFailAt: number | undefined;
  readonly invalid: Invalid | undefined;
}

/** Data of a rule over a span (prefetch and the range queries). */
export interface SpanData {
  readonly span: Span;
  readonly invalid: Invalid | undefined;
}

/** An insert: a span, often placed in the nth gap between VAs so it succeeds. */
export interface InsertData {
  readonly span: Span;
  readonly gap: { readonly index: number; readonly skip: number; readonly len: number } | undefined;
  readonly bo: BoChoice;
  readonly offset: OffsetChoice;
}

/** A remove: the nth existing VA (the kernel node included), or an arbitrary span. */
export interface RemoveData {
  readonly target: { readonly kind: 'va'; readonly index: number } | { readonly kind: 'span'; readonly span: Span };
}

/** Data of find_prev / find_next: one address. */
export interface BoundaryData {
  readonly point: Endpoint;
}

/** Data of a rule on one object (bo_unmap, bo_get, bo_put): an index into the declared objects. */
export interface ObjectData {
  readonly index: number;
}

/** Data of an evict rule. */
export interface EvictData {
  readonly index: number;
  readonly evict: boolean;
}

/** Where a madvise request starts against the VA it targets: before the VA's start, at it, or inside the VA. */
export type StartPlace = 'before' | 'at' | 'inside';

/** Where a madvise request ends against the VA it targets: inside the VA, at its end, or after it. */
export type EndPlace = 'inside' | 'at' | 'after';

/**
 * A madvise request's range: either cutting into the nth VA without an object
 * (starting before, at or inside it, ending inside, at or after its end, `by`
 * granules away from the VA's edge) or an anchored span.
 */
export type MadviseTarget =
  | { readonly kind: 'null-va'; readonly index: number; readonly start: StartPlace; readonly end: EndPlace; readonly by: number }
  | { readonly kind: 'span'; readonly span: Span };

/** Data of a madvise rule: where it cuts, the request's object side, injected failures. */
export interface MadviseData {
  readonly target: MadviseTarget;
  /** The request's object: NULL as xe passes it, sometimes an object (upstream then hands it to one MAP). */
  readonly bo: BoChoice;
  /** The request's offset in granules (mostly 0). */
  readonly offset: number;
  readonly failAt: number | undefined;
  readonly allocFailAt: number | undefined;
  readonly invalid: Invalid | undefined;
}

/**
 * Data of an unmap with `defer`: usually exactly the nth VA with an object
 * (often its last), else a plain unmap's data. `probe`: in a VM that is not
 * immediate, keep `defer` anyway (the request must be refused) rather than
 * unmap in plain steps mode.
 */
export interface DeferredUnmapData {
  readonly va: number | undefined;
  readonly unmap: UnmapData;
  readonly probe: boolean;
}

/** Data of a map with `defer` (see DeferredUnmapData for `probe`). */
export interface DeferredMapData {
  readonly map: MapData;
  readonly probe: boolean;
}

// ---------------------------------------------------------------------------
// Arbitraries

const smallIndex = fc.nat({ max: 15 });
const delta = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) });

/** Endpoints: anchored to an existing boundary more often than on a grid slot; deltas mostly 0. */
export const endpointArb: fc.Arbitrary<Endpoint> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('anchor' as const), index: smallIndex, delta }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('slot' as const),
      slot: fc.integer({ min: -WINDOW_MARGIN, max: VM_GRANULES + WINDOW_MARGIN }),
    }),
  },
);

/** Span ends: a short length or another anchored boundary. */
export const spanEndArb: fc.Arbitrary<SpanEnd> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('len' as const), len: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('anchor' as const), index: smallIndex, delta }) },
);

/** Request spans. */
export const spanArb: fc.Arbitrary<Span> = fc.record({ start: endpointArb, end: spanEndArb });

/** Present with weight 1 against `absentWeight` for undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, absentWeight: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

const invalidArb = (kinds: readonly Invalid[]): fc.Arbitrary<Invalid | undefined> => sometimes(fc.constantFrom(...kinds), 12);
const viaArb: fc.Arbitrary<Via | undefined> = fc.constantFrom<Via | undefined>(undefined, 'ops', 'steps');
const failAtArb = sometimes(fc.integer({ min: 1, max: 4 }), 6);
const allocFailAtArb = sometimes(fc.integer({ min: 1, max: 4 }), 10);

/** Objects: mostly a declared object, sometimes NULL. */
export const boChoiceArb: fc.Arbitrary<BoChoice> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'null' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('obj' as const), index: fc.nat({ max: 3 }) }) },
);

/** Offsets: mostly contiguous with a nearby VA (so keep is often true), else a grid value. */
export const offsetChoiceArb: fc.Arbitrary<OffsetChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('contig' as const), index: fc.nat({ max: 3 }), adoptBo: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abs' as const), granules: fc.nat({ max: 16 }) }) },
);

/** Map rules (allocFailAt only in ops mode). */
export const mapDataArb: fc.Arbitrary<MapData> = fc
  .record({
    span: spanArb,
    bo: boChoiceArb,
    offset: offsetChoiceArb,
    via: viaArb,
    failAt: failAtArb,
    allocFailAt: allocFailAtArb,
    invalid: invalidArb(['zero-range', 'overflow', 'outside-vm', 'over-kernel', 'offset-overflow']),
  })
  .map((d) => (d.via === 'steps' ? { ...d, allocFailAt: undefined } : d));

/** Unmap rules (allocFailAt only in ops mode). */
export const unmapDataArb: fc.Arbitrary<UnmapData> = fc
  .record({
    span: spanArb,
    via: viaArb,
    failAt: failAtArb,
    allocFailAt: allocFailAtArb,
    invalid: invalidArb(['zero-range', 'overflow', 'outside-vm', 'over-kernel']),
  })
  .map((d) => (d.via === 'steps' ? { ...d, allocFailAt: undefined } : d));

/** Span rules, occasionally invalid. */
export const spanDataArb: fc.Arbitrary<SpanData> = fc.record({
  span: spanArb,
  invalid: invalidArb(['zero-range', 'overflow', 'outside-vm']),
});

/** Insert rules: half of them target a gap. */
export const insertDataArb: fc.Arbitrary<InsertData> = fc.record({
  span: spanArb,
  gap: sometimes(fc.record({ index: smallIndex, skip: fc.nat({ max: 3 }), len: fc.integer({ min: 1, max: 4 }) }), 1),
  bo: boChoiceArb,
  offset: offsetChoiceArb,
});

/** Remove rules: mostly an existing VA exactly. */
export const removeDataArb: fc.Arbitrary<RemoveData> = fc.record({
  target: fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('va' as const), index: smallIndex }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('span' as const), span: spanArb }) },
  ),
});

/** find_prev / find_next rules. */
export const boundaryDataArb: fc.Arbitrary<BoundaryData> = fc.record({ point: endpointArb });

/** Object rules. */
export const objectDataArb: fc.Arbitrary<ObjectData> = fc.record({ index: fc.nat({ max: 3 }) });


/**
 * Madvise rules: mostly cutting into a VA without an object in one of the
 * shapes of the madvise cases (a madvise does something only when an edge
 * falls inside such a VA), else over an anchored span.
 */
export const madviseDataArb: fc.Arbitrary<MadviseData> = fc.record({
  target: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('null-va' as const),
        index: smallIndex,
        start: fc.constantFrom<StartPlace>('before', 'at', 'inside'),
        end: fc.constantFrom<EndPlace>('inside', 'at', 'after'),
        by: fc.integer({ min: 1, max: 2 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('span' as const), span: spanArb }) },
  ),
  bo: fc.oneof(
    { weight: 4, arbitrary: fc.constant({ kind: 'null' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('obj' as const), index: fc.nat({ max: 3 }) }) },
  ),
  offset: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 16 }) }),
  failAt: failAtArb,
  allocFailAt: allocFailAtArb,
  invalid: invalidArb(['zero-range', 'overflow', 'outside-vm', 'over-kernel', 'offset-overflow']),
});

/** Unmap-with-defer rules: three in four target one VA with an object exactly. */
const probeArb = fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

export const deferredUnmapDataArb: fc.Arbitrary<DeferredUnmapData> = fc.record({
  va: fc.oneof({ weight: 3, arbitrary: smallIndex }, { weight: 1, arbitrary: fc.constant(undefined) }),
  unmap: unmapDataArb,
  probe: probeArb,
});

/** Map-with-defer rules. */
export const deferredMapDataArb: fc.Arbitrary<DeferredMapData> = fc.record({ map: mapDataArb, probe: probeArb });

/** Evict rules. */
export const evictDataArb: fc.Arbitrary<EvictData> = fc.record({ index: fc.nat({ max: 3 }), evict: fc.boolean() });
