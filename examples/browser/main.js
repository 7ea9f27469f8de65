/**
 * The page side of the live demo: buttons, the loss chart and the samples. The model itself
 * trains in worker.js (a module worker that loads dist/index.js); this file only talks to it.
 * The chart is drawn by chart.js.
 */
import { drawChart as draw } from './chart.js';

const $ = (id) => document.getElementById(id);
const ui = {
  text: $('text'),
  start: $('start'),
  stop: $('stop'),
  resume: $('resume'),
  exportButton: $('export'),
  sampleNow: $('sample-now'),
  temperature: $('temperature'),
  temperatureValue: $('temperature-value'),
  info: $('info'),
  backend: $('backend'),
  step: $('step'),
  loss: $('loss'),
  firstLoss: $('first-loss'),
  speed: $('speed'),
  chart: $('chart'),
  sample: $('sample'),
  sampleStep: $('sample-step'),
  error: $('error'),
};

let losses = []; // one per training step
let worker = null;

// ---- the worker -------------------------------------------------------------------------

function newWorker() {
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  w.onmessage = (event) => handle(event.data);
  w.onerror = (event) => {
    event.preventDefault();
    showError(`The worker failed to load or crashed (${event.message || 'no message'}). Did you run \`npm run build\`? This page loads ../../dist/index.js.`);
    setRunning(false, false);
  };
  return w;
}

function handle(message) {
  switch (message.type) {
    case 'backend':
      ui.backend.textContent = message.backend === 'wasm' ? 'on WebAssembly SIMD' : 'on scalar JavaScript (WebAssembly SIMD cannot run here)';
      break;
    case 'ready':
      ui.start.textContent = 'Restart on this text';
      ui.info.textContent = `${message.characters} characters, vocabulary of ${message.vocab}; the model has ${message.parameters.toLocaleString('en')} parameters.`;
      break;
    case 'progress':
      setRunning(!ui.stop.disabled, true);
      for (const l of message.losses) losses.push(l);
      ui.step.textContent = String(message.step);
      ui.loss.textContent = average(losses.slice(-10)).toFixed(3);
      if (losses.length > 0) ui.firstLoss.textContent = losses[0].toFixed(3);
      ui.speed.textContent = Math.round(message.charsPerSecond).toLocaleString('en');
      drawChart();
      break;
    case 'sample':
      ui.sample.textContent = message.text;
      ui.sampleStep.textContent = `(step ${message.step}, temperature ${message.temperature.toFixed(2)})`;
      break;
    case 'weights':
      download(message.bytes, `char-lstm-step${message.step}.safetensors`);
      break;
    case 'stopped':
      break;
    case 'error':
      showError(message.message);
      setRunning(false, losses.length > 0);
      if (losses.length === 0) ui.start.textContent = 'Start training';
      break;
  }
}

// ---- buttons ----------------------------------------------------------------------------

function setRunning(running, trained) {
  ui.stop.disabled = !running;
  ui.resume.disabled = running || !trained;
  ui.exportButton.disabled = !trained;
  ui.sampleNow.disabled = !trained;
}

ui.start.addEventListener('click', () => {
  const text = ui.text.value;
  if (losses.length > 0 && !window.confirm(`Discard the current run (step ${ui.step.textContent}) and train a new model on this text?`)) return;
  ui.error.hidden = true;
  if (worker !== null) worker.terminate(); // a fresh model on the new text
  worker = newWorker();
  losses = [];
  ui.step.textContent = '0';
  ui.loss.textContent = ui.firstLoss.textContent = ui.speed.textContent = '–';
  drawChart();
  worker.postMessage({ type: 'start', text, temperature: Number(ui.temperature.value) });
  setRunning(true, false); // trained once the first steps arrive

});
ui.stop.addEventListener('click', () => {
  worker.postMessage({ type: 'stop' });
  setRunning(false, true);
});
ui.resume.addEventListener('click', () => {
  worker.postMessage({ type: 'resume' });
  setRunning(true, true);
});
ui.sampleNow.addEventListener('click', () => worker.postMessage({ type: 'sample', temperature: Number(ui.temperature.value) }));
ui.exportButton.addEventListener('click', () => worker.postMessage({ type: 'export' }));
ui.temperature.addEventListener('input', () => {
  const value = Number(ui.temperature.value);
  ui.temperatureValue.textContent = value.toFixed(2);
  if (worker !== null) worker.postMessage({ type: 'temperature', value });
});

function download(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = false;
}

// ---- the chart --------------------------------------------------------------------------

function average(values) {
  return values.reduce((s, v) => s + v, 0) / Math.max(values.length, 1);
}

const drawChart = () => draw(ui.chart, losses);

// ---- start-up ---------------------------------------------------------------------------

// The text box holds a short text from the first paint (index.html); the project's corpus
// replaces it once loaded, unless the user edited it meanwhile.
async function loadCorpus() {
  try {
    const response = await fetch('../data/corpus.txt');
    if (!response.ok) throw new Error(String(response.status));
    return await response.text();
  } catch {
    return null; // keep the text in the box
  }
}

const corpus = await loadCorpus();
if (corpus !== null && ui.text.value === ui.text.defaultValue) ui.text.value = corpus;
drawChart();
window.addEventListener('resize', drawChart);
document.body.dataset.ready = 'true';
