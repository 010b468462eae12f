/**
 * Records in, tensors out: chooses feature and target columns, one-hot encodes categorical
 * features, fills or refuses missing values, scales numeric features (fitted on the training rows
 * only), and encodes the target (class indices for classification, scaled values for
 * regression). Everything it learns serialises to JSON, so it travels in a model file
 * (TabularModel) and the model can predict from raw rows and answer with the original labels.
 */
import { ValueError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { checkChoice, checkFloat32Values, checkNumber, checkOptions, describe } from '../../validate.js';
import {
  columnFromJSON, fitCategorical, fitNumeric, looksNumeric, widthOf, type ColumnJSON, type UnknownCategory,
} from './columns.js';
import { encode, numericOffsets, pick, regressionTarget } from './encode.js';
import { LabelEncoder, type Label } from './label-encoder.js';
import { TabularDataError, checkStrategy, isMissing, type ImputeStrategy } from './missing.js';
import { MinMaxScaler, StandardScaler, scalerFromJSON, type Scaler } from './scalers.js';
import { toTable, type Table, type TableInput } from './table.js';

/** Classification (a class per row, CrossEntropyLoss) or regression (a number per row). */
export type Task = 'classification' | 'regression';

/** Options of TabularPreprocessor. */
export interface TabularOptions {
  /** The column to predict. */
  target: string;
  /** Feature columns. Default: every column but the target. */
  features?: string[];
  /** Default: regression when every target value is a number, classification otherwise. */
  task?: Task;
  /** Feature columns to one-hot even though they hold numbers (columns holding text always are). */
  categorical?: string[];
  /**
   * Fill missing feature values: one strategy for all columns (mean and median fill categorical
   * columns with their most frequent value), or per column. Default: refuse them.
   */
  impute?: ImputeStrategy | Record<string, ImputeStrategy>;
  /** Scaling of numeric features. Default 'standard'. */
  scale?: 'standard' | 'minmax' | 'none';
  /** Standardise a regression target (predictions are scaled back). Default true. */
  scaleTarget?: boolean;
  /** A category not seen at fit time: an error (default) or all-zero one-hot. */
  unknownCategory?: UnknownCategory;
}

const OPTIONS = ['target', 'features', 'task', 'categorical', 'impute', 'scale', 'scaleTarget', 'unknownCategory'];
const VERSION = 1;

/** Features and (when the rows have it) target, as tensors. */
export interface TabularTensors {
  /** [rows, featureCount] */
  x: Tensor;
  /** Class indices [rows] (classification) or values [rows, 1] (regression); absent when the rows lack the target. */
  y?: Tensor;
}

/** Fits on training records, then turns any records into tensors and outputs back into labels. */
export class TabularPreprocessor {
  private readonly options: TabularOptions;
  private fitted: {
    task: Task; columns: ColumnJSON[]; scaler: Scaler | null; numeric: number[];
    labels: LabelEncoder | null; targetScaler: StandardScaler | null;
  } | null = null;

  constructor(options: TabularOptions) {
    checkOptions('TabularPreprocessor', options, OPTIONS);
    if (!options || typeof options.target !== 'string' || options.target === '') throw new ValueError('TabularPreprocessor: target must name a column');
    if (options.features !== undefined && (!Array.isArray(options.features) || options.features.length === 0 || !options.features.every((f) => typeof f === 'string'))) {
      throw new ValueError('TabularPreprocessor: features must be a non-empty array of column names');
    }
    if (options.features?.includes(options.target)) throw new ValueError(`TabularPreprocessor: the target '${options.target}' cannot also be a feature`);
    const twice = options.features?.find((f, i) => options.features!.indexOf(f) !== i);
    if (twice !== undefined) throw new ValueError(`TabularPreprocessor: features names '${twice}' twice (its inputs would be counted twice)`);
    // A string would be searched as text: categorical: 'ab' made columns 'a', 'b' and 'ab' categorical.
    if (options.categorical !== undefined && (!Array.isArray(options.categorical) || !options.categorical.every((f) => typeof f === 'string'))) {
      throw new ValueError(`TabularPreprocessor: categorical must be an array of column names, got ${describe(options.categorical)}`);
    }
    if (options.categorical?.includes(options.target)) {
      throw new ValueError(`TabularPreprocessor: categorical names the target '${options.target}'; it lists feature columns (use task: 'classification' for class labels)`);
    }
    if (options.task !== undefined) checkChoice('TabularPreprocessor', 'task', options.task, ['classification', 'regression']);
    if (options.scale !== undefined) checkChoice('TabularPreprocessor', 'scale', options.scale, ['standard', 'minmax', 'none']);
    if (options.unknownCategory !== undefined) checkChoice('TabularPreprocessor', 'unknownCategory', options.unknownCategory, ['error', 'ignore']);
    const impute = options.impute;
    if (impute !== undefined) {
      // Checked now, not at fit(): one strategy, or { column: strategy } for some columns.
      if (impute && typeof impute === 'object' && !Array.isArray(impute) && !('constant' in impute)) {
        for (const [column, strategy] of Object.entries(impute)) checkStrategy(`TabularPreprocessor: impute['${column}']`, strategy);
      } else {
        checkStrategy('TabularPreprocessor', impute);
      }
    }
    this.options = { ...options };
  }

  /** Learns columns, categories, fill values, scalers and classes from the training rows; returns this. */
  fit(data: TableInput): this {
    const table = toTable('TabularPreprocessor.fit', data);
    if (table.count === 0) throw new ValueError('TabularPreprocessor.fit: no rows');
    const o = this.options;
    const target = this.requireColumn(table, o.target, 'target');
    const features = o.features ?? table.columns.filter((c) => c !== o.target);
    if (features.length === 0) throw new ValueError('TabularPreprocessor.fit: no feature columns');
    for (const c of [...features, ...(o.categorical ?? [])]) this.requireColumn(table, c, 'feature');
    const impute = o.impute;
    if (impute && typeof impute === 'object' && !('constant' in impute)) {
      const unknown = Object.keys(impute).filter((c) => !features.includes(c));
      if (unknown.length) throw new ValueError(`TabularPreprocessor.fit: impute names ${unknown.map((c) => `'${c}'`).join(', ')}, which ${unknown.length === 1 ? 'is not a feature column' : 'are not feature columns'}; features: ${features.join(', ')}`);
    }
    const targetValues = table.column(target);
    const task: Task = o.task ?? (targetValues.every((v) => isMissing(v) || typeof v === 'number') ? 'regression' : 'classification');
    const columns = features.map((name) => {
      const values = table.column(name);
      const categorical = o.categorical?.includes(name) || !looksNumeric(values);
      const impute = this.strategyFor(name, categorical);
      return categorical ? fitCategorical(name, values, impute, o.unknownCategory ?? 'error') : fitNumeric(name, values, impute);
    });
    const numeric = numericOffsets(columns);
    const raw = encode(columns, table);
    let scaler: Scaler | null = null;
    if ((o.scale ?? 'standard') !== 'none' && numeric.length > 0) {
      scaler = (o.scale === 'minmax' ? new MinMaxScaler() : new StandardScaler()).fit(pick(raw.data, raw.width, numeric), numeric.length);
    }
    let labels: LabelEncoder | null = null, targetScaler: StandardScaler | null = null;
    if (task === 'classification') labels = new LabelEncoder().fit(targetValues, target);
    else if (o.scaleTarget !== false) targetScaler = new StandardScaler().fit(regressionTarget(targetValues, target), 1);
    else regressionTarget(targetValues, target);
    this.fitted = { task, columns, scaler, numeric, labels, targetScaler };
    return this;
  }

  /** The rows as tensors: x, and y when the rows have the target column. */
  transform(data: TableInput): TabularTensors {
    const f = this.state('transform');
    const table = toTable('TabularPreprocessor.transform', data);
    const out: TabularTensors = { x: this.featureTensor(table) };
    if (table.columns.includes(this.options.target)) {
      const values = table.column(this.options.target);
      try {
        if (f.labels) out.y = Tensor.from(f.labels.encode(values, this.options.target), [table.count]);
        else {
          const raw = regressionTarget(values, this.options.target);
          const y = f.targetScaler ? f.targetScaler.transform(raw) : Float32Array.from(raw);
          checkFloat32(y, 1, [this.options.target]);
          out.y = Tensor.from(y, [table.count, 1]);
        }
      } catch (e) {
        out.x.dispose();
        throw e;
      }
    }
    return out;
  }

  /** The feature inputs of rows [rows, featureCount]; a target column, if present, is ignored. */
  transformFeatures(data: TableInput): Tensor {
    this.state('transformFeatures');
    return this.featureTensor(toTable('TabularPreprocessor.transformFeatures', data));
  }

  private featureTensor(table: Table): Tensor {
    const f = this.state('transform');
    if (table.count === 0) throw new ValueError('TabularPreprocessor.transform: no rows');
    for (const c of f.columns) this.requireColumn(table, c.name, 'feature');
    const { data: x, width } = encode(f.columns, table);
    if (f.scaler) {
      const scaled = f.scaler.transform(pick(x, width, f.numeric));
      f.numeric.forEach((col, j) => {
        for (let r = 0; r < table.count; r++) x[r * width + col] = scaled[r * f.numeric.length + j]!;
      });
    }
    const values = Float32Array.from(x);
    checkFloat32(values, width, this.featureNames);
    return Tensor.from(values, [table.count, width]);
  }

  /**
   * fit(data) then transform(data). `y` is always present here (fit requires the target column),
   * so `const { x, y } = prep.fitTransform(rows)` passes straight to fit() in TypeScript.
   */
  fitTransform(data: TableInput): Required<TabularTensors> {
    return this.fit(data).transform(data) as Required<TabularTensors>;
  }

  /**
   * Model outputs [rows, outputs] (row-major) back to what the target column holds: the class
   * labels of the highest score (classification), or values in the target's units (regression).
   */
  decode(outputs: ArrayLike<number>, rows: number): Label[] {
    const f = this.state('decode');
    const width = this.outputCount;
    checkNumber('TabularPreprocessor.decode', 'rows', rows, { integer: true, min: 0 });
    if (!outputs || typeof outputs !== 'object' || typeof outputs.length !== 'number') {
      throw new ValueError(`TabularPreprocessor.decode: outputs must be an array of numbers, got ${describe(outputs)}`);
    }
    if (outputs.length !== rows * width) throw new ValueError(`TabularPreprocessor.decode: expected ${rows}×${width} outputs, got ${outputs.length}`);
    // A NaN score (a diverged model) would decode as class 0, silently: refused, named.
    checkFloat32Values('TabularPreprocessor.decode', 'outputs', outputs);
    if (f.labels) {
      const best = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let k = 0;
        for (let c = 1; c < width; c++) if (outputs[r * width + c]! > outputs[r * width + k]!) k = c;
        best[r] = k;
      }
      return f.labels.decode(best);
    }
    return Array.from(f.targetScaler ? f.targetScaler.inverseTransform(outputs) : Array.from(outputs));
  }

  /** Target values of rows as numbers in their own units (regression) or labels (classification), checked. */
  targetValues(data: TableInput): Label[] {
    const f = this.state('targetValues');
    const table = toTable('TabularPreprocessor.targetValues', data);
    const values = table.column(this.requireColumn(table, this.options.target, 'target'));
    if (f.labels) return f.labels.decode(f.labels.encode(values, this.options.target));
    return Array.from(regressionTarget(values, this.options.target));
  }

  /** 'classification' or 'regression', as given or inferred at fit. */
  get task(): Task {
    return this.state('task').task;
  }
  /** The target column's name. */
  get target(): string {
    return this.options.target;
  }
  /** Inputs per row (numeric columns + one per category). */
  get featureCount(): number {
    return this.state('featureCount').columns.reduce((n, c) => n + widthOf(c), 0);
  }
  /** Input names: the column, or "column=category" for one-hot inputs. */
  get featureNames(): string[] {
    return this.state('featureNames').columns.flatMap((c) => (c.kind === 'numeric' ? [c.name] : c.categories.map((k) => `${c.name}=${k}`)));
  }
  /** The feature columns, in order. */
  get features(): string[] {
    return this.state('features').columns.map((c) => c.name);
  }
  /** Classes in output order (classification), else []. */
  get classes(): readonly Label[] {
    return this.state('classes').labels?.classes ?? [];
  }
  /** Model outputs expected: one per class, or 1 for regression. */
  get outputCount(): number {
    const f = this.state('outputCount');
    return f.labels ? f.labels.classes.length : 1;
  }

  /** Everything fitted, as JSON (what a model file stores). */
  toJSON(): Record<string, unknown> {
    const f = this.state('toJSON');
    return {
      version: VERSION, target: this.options.target, task: f.task, columns: f.columns,
      scaler: f.scaler?.toJSON() ?? null, labels: f.labels?.toJSON() ?? null, targetScaler: f.targetScaler?.toJSON() ?? null,
    };
  }

  /** Rebuilds a fitted preprocessor from toJSON() output; checks everything (it comes from a file). */
  static fromJSON(json: unknown): TabularPreprocessor {
    const j = json as Record<string, unknown>;
    if (!j || typeof j !== 'object' || j.version !== VERSION) throw new ValueError(`preprocessing: expected version ${VERSION}, got ${describe(j?.version)}`);
    if (typeof j.target !== 'string' || j.target === '') throw new ValueError('preprocessing: target must be a column name');
    const task = checkChoice('preprocessing', 'task', j.task, ['classification', 'regression']);
    if (!Array.isArray(j.columns) || j.columns.length === 0 || j.columns.length > 100_000) throw new ValueError('preprocessing: columns must be 1 to 100000 columns');
    const columns = j.columns.map(columnFromJSON);
    const names = columns.map((c) => c.name);
    if (new Set(names).size !== names.length || names.includes(j.target)) throw new ValueError('preprocessing: column names must be distinct and differ from the target');
    const numeric = numericOffsets(columns);
    const scaler = j.scaler === null ? null : scalerFromJSON(j.scaler, numeric.length);
    if (scaler && numeric.length === 0) throw new ValueError('preprocessing: a scaler without numeric columns');
    const labels = task === 'classification' ? LabelEncoder.fromJSON(j.labels) : null;
    if (task === 'regression' && j.labels !== null) throw new ValueError('preprocessing: a regression target has no classes');
    // Ignored before, whatever it held ('x', [], {}): a file that is not what toJSON() writes is refused.
    if (task === 'classification' && j.targetScaler !== null) throw new ValueError(`preprocessing: a classification target has no target scaler (null), got ${describe(j.targetScaler)}`);
    const targetScaler = task === 'regression' && j.targetScaler !== null ? scalerFromJSON(j.targetScaler, 1) : null;
    if (targetScaler && !(targetScaler instanceof StandardScaler)) throw new ValueError('preprocessing: the target scaler must be standard');
    const p = new TabularPreprocessor({ target: j.target, features: names });
    p.fitted = { task, columns, scaler, numeric, labels, targetScaler: targetScaler as StandardScaler | null };
    return p;
  }

  private state(what: string): NonNullable<TabularPreprocessor['fitted']> {
    if (!this.fitted) throw new ValueError(`TabularPreprocessor.${what}: call fit(trainingRows) first`);
    return this.fitted;
  }

  private requireColumn(table: Table, name: string, role: string): string {
    if (!table.columns.includes(name)) {
      throw new TabularDataError(`TabularPreprocessor: unknown ${role} column '${name}'; the data has ${table.columns.map((c) => `'${c}'`).join(', ')}`, undefined, name);
    }
    return name;
  }

  /** A column's strategy; one strategy for all columns fills categorical ones with their most frequent value when it is mean or median. */
  private strategyFor(name: string, categorical: boolean): ImputeStrategy | undefined {
    const impute = this.options.impute;
    if (impute === undefined) return undefined;
    const perColumn = typeof impute === 'object' && !('constant' in impute);
    const s = perColumn ? (impute as Record<string, ImputeStrategy>)[name] : impute;
    if (s === undefined) return undefined;
    const strategy = checkStrategy(`TabularPreprocessor (column '${name}')`, s);
    return !perColumn && categorical && (strategy === 'mean' || strategy === 'median') ? 'mostFrequent' : strategy;
  }
}

/** A value that overflowed float32 (|x| > 3.4e38 after scaling) is refused with its row and input. */
function checkFloat32(values: Float32Array, width: number, names: string[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const row = Math.floor(i / width), name = names[i % width]!;
      throw new TabularDataError(`row ${row}, column '${name}': the value does not fit in float32 after scaling (|x| > 3.4e38)`, row, name);
    }
  }
}
