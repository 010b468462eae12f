import * as ops from '../backend/ops.js';
import { Storage } from '../backend/storage.js';
import { StateError, namingOwner } from '../errors.js';
import { Generator, defaultGenerator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkNotDisposed, checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';

/** Options of DataLoader. */
export interface DataLoaderOptions {
  /** Rows per batch. Default 32. */
  batchSize?: number;
  /** Visit the rows in a new random order every epoch. Default false. */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Seed of the shuffling generator (default: drawn from the manualSeed() generator). */
  seed?: number;
}

/** One mini-batch: views valid until the loader produces the next batch. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Number of rows (the last batch may be smaller). */
  size: number;
  /** Index of the batch within the epoch. */
  index: number;
}

/**
 * Mini-batches of (x, y). The data set is copied into WASM memory once (all of it or, on an
 * OutOfMemoryError, nothing); each batch is gathered inside WASM into re-used buffers, so
 * iterating allocates no memory. Iterate once per epoch:
 *
 *     for (const { x, y } of loader) { ... }
 */
export class DataLoader implements Iterable<Batch> {
  /** The `batchSize` given to the constructor (or its default): torch's `batch_size`. */
  readonly batchSize: number;
  /** The `shuffle` given to the constructor (or its default): torch's `shuffle`. */
  readonly shuffle: boolean;
  /** The `dropLast` given to the constructor (or its default): torch's `drop_last`. */
  readonly dropLast: boolean;
  /** Number of rows. */
  readonly length: number;
  private readonly x: Tensor;
  private readonly y: Tensor;
  private readonly order: Storage;
  private readonly xBatch = new Workspace('DataLoader batch x', 'data');
  private readonly yBatch = new Workspace('DataLoader batch y', 'data');
  private readonly generator: Generator;
  /** Iterations started so far: an iteration resumed after a later one started stops (see the iterator). */
  private iterations = 0;
  private disposed = false;
  /** The batch shapes (full, and the last one's), made once: a batch allocates no shape array. */
  private readonly shapes: { x: number[]; y: number[]; lastX: number[]; lastY: number[] };

  constructor(x: Tensor, y: Tensor, options: DataLoaderOptions = {}) {
    checkOptions('DataLoader', options, ['batchSize', 'shuffle', 'dropLast', 'seed']);
    checkTensor('DataLoader', 'x', x);
    checkTensor('DataLoader', 'y', y);
    const n = checkRows('DataLoader', x, y);
    this.batchSize = checkNumber('DataLoader', 'batchSize', options.batchSize ?? 32, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
    this.shuffle = checkBoolean('DataLoader', 'shuffle', options.shuffle ?? false);
    this.dropLast = checkBoolean('DataLoader', 'dropLast', options.dropLast ?? false);
    const seed = options.seed === undefined ? undefined : checkNumber('DataLoader', 'seed', options.seed, { integer: true });
    this.length = n;
    // All three copies or none: an OutOfMemoryError (naming the loader) frees what was made.
    let xCopy: Tensor | null = null, yCopy: Tensor | null = null;
    try {
      xCopy = namingOwner('DataLoader (copy of x)', () => x._copy('data'));
      yCopy = namingOwner('DataLoader (copy of y)', () => y._copy('data'));
      this.order = namingOwner('DataLoader (row order)', () => new Storage(n, 'data'));
    } catch (e) {
      xCopy?.dispose();
      yCopy?.dispose();
      throw e;
    }
    this.x = xCopy;
    this.y = yCopy;
    // Drawn last: a loader that could not be made leaves the manualSeed() generator as it was.
    this.generator = new Generator(seed ?? defaultGenerator.nextUint32());
    const xRow = x.shape.slice(1), yRow = y.shape.slice(1), last = n % this.batchSize || this.batchSize;
    this.shapes = { x: [this.batchSize, ...xRow], y: [this.batchSize, ...yRow], lastX: [last, ...xRow], lastY: [last, ...yRow] };
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** The batches of one pass over the data (reshuffled each pass when `shuffle`). */
  *[Symbol.iterator](): Iterator<Batch> {
    // The row order and the batch buffers are shared by every iteration: a second one started
    // before this one ends re-shuffles the order under it (rows repeated and missed, silently),
    // so this one stops with an error instead.
    this.checkUsable();
    const iteration = ++this.iterations;
    const n = this.length;
    const order = this.order.i32(0, n);
    if (this.shuffle) this.generator.permutation(n, order);
    else for (let i = 0; i < n; i++) order[i] = i;
    const { shapes } = this;
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      this.checkUsable(); // disposed between two batches
      const first = b * this.batchSize;
      const size = Math.min(this.batchSize, n - first);
      const full = size === this.batchSize;
      const xb = this.xBatch.next(full ? shapes.x : shapes.lastX);
      const yb = this.yBatch.next(full ? shapes.y : shapes.lastY);
      ops.gatherRows(this.x, this.order, first, size, xb);
      ops.gatherRows(this.y, this.order, first, size, yb);
      yield { x: xb, y: yb, size, index: b };
      if (this.iterations !== iteration) {
        throw new StateError(`DataLoader: another iteration of this loader started before this one ended (batch ${b + 1} of ${this.batchesPerEpoch}); ` +
          'they share the row order and batch buffers, so iterate one at a time (or make a second DataLoader)');
      }
    }
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * The row order lives in WASM memory: an iteration of a disposed loader wrote its (shuffled)
   * order into the freed block, i.e. into whatever tensor had been allocated there since.
   */
  private checkUsable(): void {
    checkNotDisposed(this.disposed, 'DataLoader', 'this DataLoader');
  }

  /** Frees the loader's copy of the data now rather than at garbage collection; iterating it afterwards is a StateError. */
  dispose(): void {
    this.disposed = true;
    this.x.dispose();
    this.y.dispose();
    this.order.release();
    this.xBatch.dispose();
    this.yBatch.dispose();
  }
}
