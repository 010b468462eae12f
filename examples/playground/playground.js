// The playground page: reads the controls, talks to the training Worker, draws the decision
// boundary (heat map + test points) and the loss / accuracy curves.
const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const history = [];
let running = false;

function config() {
  const hidden = $('hidden').value.split(',').map((v) => v.trim()).filter(Boolean).map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 256)) throw new Error('Hidden layers: comma-separated widths between 1 and 256, e.g. 16,16');
  const lr = Number($('lr').value), batchSize = Number($('batch').value);
  if (!(lr > 0)) throw new Error('Learning rate must be a positive number');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('Batch size must be a positive integer');
  return { dataset: $('dataset').value, noise: Number($('noise').value), hidden, activation: $('activation').value,
    loss: $('loss').value, optimizer: $('optimizer').value, lr, batchSize, n: 500, seed: 1 };
}

function reset() {
  try {
    const c = config();
    $('error').textContent = '';
    history.length = 0;
    setRunning(false);
    worker.postMessage({ type: 'reset', config: c });
  } catch (e) {
    $('error').textContent = e.message;
  }
}

function setRunning(on) {
  running = on;
  $('start').textContent = on ? 'Pause' : 'Start';
  $('step').disabled = on;
}

$('start').onclick = () => { worker.postMessage({ type: running ? 'pause' : 'start' }); setRunning(!running); };
$('step').onclick = () => worker.postMessage({ type: 'step' });
$('reset').onclick = reset;
for (const id of ['dataset', 'hidden', 'activation', 'loss', 'optimizer', 'lr', 'batch', 'noise']) $(id).addEventListener('change', reset);
$('noise').addEventListener('input', () => { $('noise-value').textContent = $('noise').value; });

// Colours: blue (class 0) → white → orange (class 1).
const lerp = (a, b, t) => Math.round(a + (b - a) * t);
function heat(p) {
  return p < 0.5 ? [lerp(158, 255, p * 2), lerp(202, 255, p * 2), lerp(225, 255, p * 2)]
    : [lerp(255, 253, (p - 0.5) * 2), lerp(255, 174, (p - 0.5) * 2), lerp(255, 107, (p - 0.5) * 2)];
}

const off = document.createElement('canvas');
function drawBoundary(r) {
  const canvas = $('boundary'), ctx = canvas.getContext('2d');
  off.width = off.height = r.gridSize;
  const octx = off.getContext('2d'), img = octx.createImageData(r.gridSize, r.gridSize);
  for (let k = 0; k < r.grid.length; k++) {
    const [cr, cg, cb] = heat(r.grid[k]);
    img.data.set([cr, cg, cb, 255], 4 * k);
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  const { x, y } = r.points;
  for (let i = 0; i < y.length; i++) {
    ctx.beginPath();
    ctx.arc(x[2 * i] * canvas.width, (1 - x[2 * i + 1]) * canvas.height, 3.2, 0, 2 * Math.PI);
    // Regression: points in the heat map's colours of their true value (−1 … 1), darker.
    const [pr, pg, pb] = r.regression ? heat(Math.min(1, Math.max(0, (y[i] + 1) / 2))).map((c) => Math.round(c * 0.8)) : [];
    ctx.fillStyle = r.regression ? `rgb(${pr}, ${pg}, ${pb})` : y[i] === 1 ? '#d94801' : '#08519c';
    ctx.fill();
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = 'white';
    ctx.stroke();
  }
}

function drawChart(id, series, { min, max, label }) {
  const canvas = $(id), ctx = canvas.getContext('2d'), W = canvas.width, H = canvas.height, pad = 26;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#5b6776';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(label, pad, 12);
  ctx.strokeStyle = '#e3e7ed';
  ctx.strokeRect(pad, 18, W - pad - 6, H - 36);
  const n = history.length;
  if (n < 2) return;
  const hi = max ?? Math.max(...series.flatMap((s) => history.map((h) => h[s.key]))), lo = min ?? 0;
  ctx.fillText(hi.toFixed(2), 0, 26);
  ctx.fillText(lo.toFixed(2), 0, H - 18);
  for (const s of series) {
    ctx.beginPath();
    history.forEach((h, i) => {
      const px = pad + ((W - pad - 6) * i) / (n - 1), py = 18 + (H - 36) * (1 - (h[s.key] - lo) / (hi - lo || 1));
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.8;
    ctx.stroke();
  }
  ctx.fillStyle = '#1f77b4'; ctx.fillText('train', W - 80, 12);
  ctx.fillStyle = '#e4572e'; ctx.fillText('test', W - 40, 12);
}

// Reports can arrive faster than a loaded machine paints: keep every one in the history, but draw
// only the latest, once per animation frame, so the page (and its buttons) stays responsive.
let latest = null;
worker.onmessage = ({ data: r }) => {
  if (r.type !== 'report') return;
  if (r.epoch > 0) history.push(r);
  if (latest === null) requestAnimationFrame(() => { const report = latest; latest = null; render(report); });
  latest = r;
};

function render(r) {
  $('epoch').textContent = r.epoch;
  $('train-loss').textContent = r.trainLoss.toFixed(4);
  $('test-loss').textContent = r.testLoss.toFixed(4);
  const metric = r.regression ? 'R²' : 'accuracy';
  $('train-metric').textContent = `train ${metric}`;
  $('test-metric').textContent = `test ${metric}`;
  $('train-acc').textContent = r.trainAccuracy.toFixed(3);
  $('test-acc').textContent = r.testAccuracy.toFixed(3);
  $('steps-per-sec').textContent = r.stepsPerSecond > 0 ? Math.round(r.stepsPerSecond).toLocaleString('en') : '–';
  drawBoundary(r);
  drawChart('loss-chart', [{ key: 'trainLoss', color: '#1f77b4' }, { key: 'testLoss', color: '#e4572e' }], { label: 'loss' });
  drawChart('acc-chart', [{ key: 'trainAccuracy', color: '#1f77b4' }, { key: 'testAccuracy', color: '#e4572e' }], { min: r.regression ? 0 : 0.4, max: 1, label: metric });
}

reset();
