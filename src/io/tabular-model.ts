/**
 * A model with its preprocessing: predicts from raw rows and answers with the original labels
 * (or values in the target's units), and saves both in one safetensors file (the preprocessing
 * as JSON in `__metadata__`), so `TabularModel.load(bytes)` needs no code and no training data.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Label } from '../data/tabular/label-encoder.js';
import { TabularPreprocessor } from '../data/tabular/preprocessor.js';
import type { TableInput } from '../data/tabular/table.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { EVALUATION_BATCH_SIZE, checkBatchSize, predict } from '../train/evaluate.js';
import { probeOutputs } from '../train/task.js';
import { readModelFile, saveModel } from './model-file.js';
import { checkOptions } from '../check-values.js';

/** Figures of TabularModel.evaluate: accuracy for classification; MAE, RMSE and R² for regression. */
export type TabularEvaluation =
  | { task: 'classification'; count: number; accuracy: number; errors: number }
  | { task: 'regression'; count: number; mae: number; rmse: number; r2: number };

const MAX_PREPROCESSING_CHARS = 16 << 20;

/** Options of TabularModel.predict and evaluate. */
export interface TabularPredictOptions {
  /** Rows per forward pass, an integer ≥ 1 (default 1024): lower it when 1024 rows of activations do not fit memory. */
  batchSize?: number;
}

/** The options checked before any work; predict's own options (batchSize checked there). */
function batchOption(what: string, options: TabularPredictOptions): { batchSize: number } {
  checkOptions(what, options, ['batchSize']);
  return { batchSize: checkBatchSize(what, 'batchSize', options?.batchSize, EVALUATION_BATCH_SIZE) };
}

/**
 * A trained model and the fitted preprocessor its inputs went through. The constructor checks
 * that they fit each other: it runs the model on two rows of zeros (in eval mode, restored after;
 * parameters untouched) and throws ShapeError when the model does not take the preprocessor's
 * feature width or does not give its output width.
 */
export class TabularModel {
  constructor(
    /** The network: features in, scores or values out. */ readonly model: Module,
    /** The fitted preprocessing: records in, features out; labels back. */ readonly preprocessor: TabularPreprocessor,
  ) {
    if (!model || typeof model.forward !== 'function') throw new ValueError('TabularModel: model must be a Module');
    if (!(preprocessor instanceof TabularPreprocessor)) throw new ValueError('TabularModel: preprocessor must be a fitted TabularPreprocessor');
    const features = preprocessor.featureCount, outputs = preprocessor.outputCount; // throw if not fitted
    const row = Tensor.zeros([2, features]); // two rows: a BatchNorm without running statistics needs them in eval mode too
    let width: number;
    try {
      width = probeOutputs('TabularModel', `a batch of the preprocessor's ${features} features`, model, row);
    } finally {
      row.dispose();
    }
    if (width !== outputs) {
      throw new ShapeError(`TabularModel: the model gives ${width} output${width === 1 ? '' : 's'} per row, the preprocessing expects ${outputs} ` +
        `(${preprocessor.task === 'classification' ? 'one per class' : 'the target'})`);
    }
  }

  /**
   * Predictions for raw rows: class labels, or numbers in the target's units. `batchSize`: rows per
   * forward pass (predict's option, default 1024; the predictions do not depend on it).
   */
  predict(rows: TableInput, options: TabularPredictOptions = {}): Label[] {
    const batch = batchOption('TabularModel.predict', options);
    const x = this.preprocessor.transformFeatures(rows);
    try {
      const out = predict(this.model, x, batch);
      try {
        const width = out.size / x.shape[0]!;
        if (width !== this.preprocessor.outputCount) {
          throw new ValueError(`TabularModel.predict: the model gives ${width} outputs per row, the preprocessing expects ${this.preprocessor.outputCount}`);
        }
        const view = out._view('TabularModel.predict');
        const bad = view.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          // A diverged model (NaN weights) decoded every row as the first class, silently.
          throw new ValueError(`TabularModel.predict: the model's output for row ${Math.floor(bad / width)} is ${view[bad]} (output ${bad % width}); ` +
            'a model with NaN or infinite weights cannot predict');
        }
        return this.preprocessor.decode(view, x.shape[0]!);
      } finally {
        out.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  /** Accuracy (classification) or MAE / RMSE / R² in the target's units (regression) on rows that have the target. */
  evaluate(rows: TableInput, options: TabularPredictOptions = {}): TabularEvaluation {
    const batch = batchOption('TabularModel.evaluate', options);
    const truth = this.preprocessor.targetValues(rows);
    const predicted = this.predict(rows, batch);
    const count = truth.length;
    if (this.preprocessor.task === 'classification') {
      const errors = truth.filter((t, i) => t !== predicted[i]).length;
      return { task: 'classification', count, accuracy: (count - errors) / count, errors };
    }
    const t = truth as number[], p = predicted as number[];
    const mean = t.reduce((a, b) => a + b, 0) / count;
    let abs = 0, sq = 0, total = 0;
    for (let i = 0; i < count; i++) {
      abs += Math.abs(p[i]! - t[i]!);
      sq += (p[i]! - t[i]!) ** 2;
      total += (t[i]! - mean) ** 2;
    }
    return { task: 'regression', count, mae: abs / count, rmse: Math.sqrt(sq / count), r2: total > 0 ? 1 - sq / total : (sq === 0 ? 1 : 0) }; // constant targets: as r2Score and evaluate (scikit-learn's), not −∞
  }

  /** Model (architecture and weights) and preprocessing in one safetensors file. */
  save(): Uint8Array {
    return saveModel(this.model, { metadata: { preprocessing: JSON.stringify(this.preprocessor.toJSON()) } });
  }

  /** Rebuilds a TabularModel from save() bytes; everything is checked before use. */
  static load(bytes: Uint8Array): TabularModel {
    const { model, metadata } = readModelFile(bytes);
    try {
      const text = metadata.preprocessing;
      if (text === undefined) throw new ValueError('TabularModel.load: the file has no preprocessing metadata (it was saved by saveModel, not TabularModel.save); use loadModel(bytes)');
      if (text.length > MAX_PREPROCESSING_CHARS) throw new ValueError(`TabularModel.load: preprocessing metadata of ${text.length} characters, more than ${MAX_PREPROCESSING_CHARS}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new ValueError(`TabularModel.load: preprocessing metadata is not valid JSON (${(e as Error).message})`);
      }
      return new TabularModel(model, TabularPreprocessor.fromJSON(json));
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
}
