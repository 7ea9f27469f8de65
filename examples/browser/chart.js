/**
 * The live page's loss chart on a canvas: the losses per step as dots, their moving average
 * as a line, and axes with the library's own round ticks (dist/plot).
 */
import { linearTicks } from '../../dist/plot/index.js';

/**
 * An exponential moving average whose window grows with the run:
 *   a_0 = v_0,  a_i = b_i a_{i-1} + (1 - b_i) v_i,  b_i = min(beta, i / (i + 8))
 * so it averages over about i / 8 steps early on and 1 / (1 - beta) later. A plain EMA
 * started at the first loss (or Adam's bias-corrected one) lags the steep early fall and
 * sits above every raw loss for tens of steps; this one follows it.
 */
export function movingAverage(values, beta = 0.9) {
  let average = 0;
  return values.map((v, i) => {
    const b = Math.min(beta, i / (i + 8));
    average = b * average + (1 - b) * v;
    return average;
  });
}

/**
 * Loss per step (light dots) and its moving average (line) on `canvas`, with round ticks; the
 * tick labels are also left in the canvas's data-x-ticks and data-y-ticks attributes.
 */
export function drawChart(canvas, losses) {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  const pad = { left: 44, right: 16, top: 10, bottom: 26 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const n = losses.length;
  const yTicks = linearTicks(Math.min(0, ...losses), n > 0 ? Math.max(...losses) : 4, 4);
  const xTicks = linearTicks(1, Math.max(n, 10), Math.max(2, Math.min(5, Math.floor(w / 70))));
  const [xLo, xHi] = xTicks.domain;
  const [yLo, yHi] = yTicks.domain;
  const x = (step) => pad.left + (w * (step - xLo)) / (xHi - xLo);
  const y = (v) => pad.top + h * (1 - (v - yLo) / (yHi - yLo));
  canvas.dataset.xTicks = xTicks.labels.join(' ');
  canvas.dataset.yTicks = yTicks.labels.join(' ');

  // Grid and labels.
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#666b75';
  g.strokeStyle = '#e3e5e9';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  yTicks.values.forEach((v, k) => {
    g.beginPath();
    g.moveTo(pad.left, Math.round(y(v)) + 0.5);
    g.lineTo(pad.left + w, Math.round(y(v)) + 0.5);
    g.stroke();
    g.fillText(yTicks.labels[k], pad.left - 6, y(v));
  });
  g.textAlign = 'center';
  g.textBaseline = 'top';
  xTicks.values.forEach((v, k) => g.fillText(xTicks.labels[k], x(v), pad.top + h + 6));
  if (n === 0) return;

  // Raw losses (step i + 1) as dots, the moving average as a line.
  g.fillStyle = 'rgba(43, 108, 176, 0.28)';
  const stride = Math.max(1, Math.floor(n / 600));
  for (let i = 0; i < n; i += stride) g.fillRect(x(i + 1) - 1, y(losses[i]) - 1, 2, 2);
  g.strokeStyle = '#2b6cb0';
  g.lineWidth = 2;
  g.beginPath();
  movingAverage(losses).forEach((v, i) => (i === 0 ? g.moveTo(x(i + 1), y(v)) : g.lineTo(x(i + 1), y(v))));
  g.stroke();
}
