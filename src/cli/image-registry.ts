// The command's tables for image data: data sets, model presets and learning-rate schedules by
// name. A leaf module (it imports no other cli/ file that imports options.ts), so the flag table
// can list these names.
import { CosineAnnealingLR, type Dataset, type LRScheduler, type Optimizer } from '../index.js';
import { loadMnist } from './mnist.js';

/** The shape of one sample (without the batch dimension). */
export type SampleShape = readonly number[];

/** Image data sets by name: the loader, one sample's shape and the class count. */
export const IMAGE_DATASETS: Record<string, { load: () => { train: Dataset; test: Dataset }; sampleShape: SampleShape; classes: number }> = {
  mnist: { load: () => loadMnist(), sampleShape: [1, 28, 28], classes: 10 },
};

/** Named architectures for --model (MNIST-sized inputs [1, 28, 28]), as layer specs. */
export const MODEL_PRESETS: Record<string, string> = {
  lenet: 'conv6x5p2,relu,maxpool2,conv16x5,relu,maxpool2,flatten,120,relu,84,relu,10',
  'lenet-bn': 'conv6x5p2,bn,relu,maxpool2,conv16x5,bn,relu,maxpool2,flatten,120,relu,84,relu,10',
  mlp: 'flatten,256,relu,128,relu,10',
};

/** Learning-rate schedules by name, stepped once per epoch. */
export const SCHEDULERS: Record<string, (optimizer: Optimizer, epochs: number) => LRScheduler | undefined> = {
  none: () => undefined,
  cosine: (optimizer, epochs) => new CosineAnnealingLR(optimizer, { tMax: epochs }),
};
