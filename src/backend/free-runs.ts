/**
 * The free runs of the allocator in segregated size classes (the TLSF scheme: two-level bins
 * found through bitmaps), with hash maps by start and end address for merging neighbours.
 * `take`, `release` and `endingAt` run in constant time whatever the number of runs.
 *
 * Sizes are bytes, multiples of 16. Class of u = bytes / 16: below 16 one class per value; above,
 * 16 classes per power of two, so a run found by rounding the request up to the next class
 * boundary is within 1/16 of the request.
 */

const SL_BITS = 4;
const SL_COUNT = 1 << SL_BITS;
/** First-level classes: u up to 2^28 (4 GiB / 16) has log2 28 → first level 25. */
const FL_COUNT = 26;
/** Runs of the request's own class examined before larger classes are searched. */
const OWN_CLASS_FIRST_LOOK = 4;
/** Runs examined in the request's own class before memory is grown instead. */
const OWN_CLASS_SCAN = 64;

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

/** The class index (first level · 16 + second level) of u 16-byte units. */
function classOf(u: number): number {
  if (u < SL_COUNT) return u;
  const l = 31 - Math.clz32(u);
  return (l - SL_BITS + 1) * SL_COUNT + ((u >>> (l - SL_BITS)) - SL_COUNT);
}

/** The first class whose every run holds u units (u rounded up to a class boundary). */
function classAtLeast(u: number): number {
  if (u < SL_COUNT) return u;
  const l = 31 - Math.clz32(u);
  return classOf(u + (1 << (l - SL_BITS)) - 1);
}

/** One free run; the same object stays in the maps while it is split or merged in place. */
interface Run {
  start: number;
  bytes: number;
  /** Its size class, and its index in that class's array. */
  cls: number;
  slot: number;
}

/**
 * Address → run. V8's Map keeps deleted entries in their hash chains until it rehashes, so
 * deleting and re-adding the same few keys (the tail run, split and merged back again and
 * again) makes every lookup walk thousands of dead entries. Here a removed key keeps its entry
 * with the value null (re-adding it overwrites in place), and the map is rebuilt once dead
 * entries outnumber live ones: amortised O(1) per operation.
 */
class AddressMap {
  private map = new Map<number, Run | null>();
  private dead = 0;

  get size(): number {
    return this.map.size - this.dead;
  }

  get(key: number): Run | undefined {
    return this.map.get(key) ?? undefined;
  }

  set(key: number, run: Run): void {
    if (this.map.get(key) === null) this.dead--;
    this.map.set(key, run);
  }

  delete(key: number): void {
    if (!this.map.get(key)) return;
    this.map.set(key, null);
    if (++this.dead > 1024 && this.dead > this.map.size / 2) {
      const live = new Map<number, Run | null>();
      for (const [k, v] of this.map) if (v) live.set(k, v);
      this.map = live;
      this.dead = 0;
    }
  }

  *values(): IterableIterator<Run> {
    for (const v of this.map.values()) if (v) yield v;
  }
}

export class FreeRuns {
  private readonly byStart = new AddressMap();
  private readonly byEnd = new AddressMap();
  private readonly classes: Run[][] = Array.from({ length: FL_COUNT * SL_COUNT }, () => []);
  private firstLevelMap = 0;
  private readonly secondLevelMaps = new Int32Array(FL_COUNT);

  /** Number of free runs. */
  get count(): number {
    return this.byStart.size;
  }

  /**
   * Removes `bytes` from the start of a free run that holds them and returns that address, or -1
   * when no run is found (the caller grows memory).
   */
  take(bytes: number): number {
    const u = bytes / 16;
    // A run of the request's own class that was just freed often fits (a tensor of the same size
    // allocated again): look at a few first, which keeps re-use local; then any run of a larger
    // class (constant time); then more of the own class before memory has to grow.
    let run = this.fitInOwnClass(u, bytes, OWN_CLASS_FIRST_LOOK);
    if (!run) {
      const c = this.findClass(classAtLeast(u));
      if (c >= 0) {
        const list = this.classes[c]!;
        run = list[list.length - 1]!;
      } else {
        run = this.fitInOwnClass(u, bytes, OWN_CLASS_SCAN);
      }
    }
    if (!run) return -1;
    const start = run.start;
    if (run.bytes === bytes) {
      this.byStart.delete(start);
      this.byEnd.delete(start + bytes);
      this.unlist(run);
    } else {
      // Split in place: the rest keeps its end (and its entry in byEnd).
      this.byStart.delete(start);
      run.start += bytes;
      run.bytes -= bytes;
      this.byStart.set(run.start, run);
      this.reclass(run);
    }
    return start;
  }

  /** The most recently listed run of u's class (among the last `limit`) that holds `bytes`. */
  private fitInOwnClass(u: number, bytes: number, limit: number): Run | undefined {
    const list = this.classes[classOf(u)]!;
    for (let i = list.length - 1, n = 0; i >= 0 && n < limit; i--, n++) {
      if (list[i]!.bytes >= bytes) return list[i]!;
    }
    return undefined;
  }

  /** Adds a free run, merging it with the free runs that touch it. */
  release(start: number, bytes: number): void {
    const end = start + bytes;
    const before = this.byEnd.get(start);
    const after = this.byStart.get(end);
    if (before && after) {
      this.byEnd.delete(start);
      this.byStart.delete(end);
      this.unlist(after);
      before.bytes += bytes + after.bytes;
      this.byEnd.set(after.start + after.bytes, before);
      this.reclass(before);
    } else if (before) {
      this.byEnd.delete(start);
      before.bytes += bytes;
      this.byEnd.set(end, before);
      this.reclass(before);
    } else if (after) {
      this.byStart.delete(end);
      after.start = start;
      after.bytes += bytes;
      this.byStart.set(start, after);
      this.reclass(after);
    } else {
      const run: Run = { start, bytes, cls: -1, slot: -1 };
      this.byStart.set(start, run);
      this.byEnd.set(end, run);
      this.list(run);
    }
  }

  /** Size of the free run that ends at `end`, or 0. */
  endingAt(end: number): number {
    return this.byEnd.get(end)?.bytes ?? 0;
  }

  /** All runs as [start, bytes], sorted by address (for tests; O(n log n)). */
  runs(): Array<[number, number]> {
    return [...this.byStart.values()].map((r): [number, number] => [r.start, r.bytes]).sort((a, b) => a[0] - b[0]);
  }

  private list(run: Run): void {
    const c = classOf(run.bytes / 16);
    const list = this.classes[c]!;
    run.cls = c;
    run.slot = list.length;
    list.push(run);
    this.firstLevelMap |= 1 << (c >>> SL_BITS);
    this.secondLevelMaps[c >>> SL_BITS]! |= 1 << (c & (SL_COUNT - 1));
  }

  private unlist(run: Run): void {
    const c = run.cls;
    const list = this.classes[c]!;
    const last = list.pop()!;
    if (last !== run) {
      list[run.slot] = last;
      last.slot = run.slot;
    }
    if (list.length === 0) {
      const fl = c >>> SL_BITS;
      this.secondLevelMaps[fl]! &= ~(1 << (c & (SL_COUNT - 1)));
      if (this.secondLevelMaps[fl] === 0) this.firstLevelMap &= ~(1 << fl);
    }
  }

  /** Moves a run whose size changed to its new class (nothing to do when the class is the same). */
  private reclass(run: Run): void {
    if (classOf(run.bytes / 16) === run.cls) return;
    this.unlist(run);
    this.list(run);
  }

  /** The first non-empty class at or above `c`, or -1. */
  private findClass(c: number): number {
    let fl = c >>> SL_BITS;
    if (fl >= FL_COUNT) return -1;
    let map = this.secondLevelMaps[fl]! & (-1 << (c & (SL_COUNT - 1)));
    if (map === 0) {
      const above = this.firstLevelMap & (-1 << (fl + 1));
      if (above === 0) return -1;
      fl = ctz(above);
      map = this.secondLevelMaps[fl]!;
    }
    return fl * SL_COUNT + ctz(map);
  }
}
