// The page around the wasm module: it calls Hashwatt (adapter, genesis,
// verify, bench) and estimate(), and draws what they return.
// ?autorun=1&duration=S[&watts=W] runs everything without a click and sets
// window.hashwattResult, then window.hashwattDone = true.
import init, { Hashwatt, estimate, defaults, jth as formatJth } from './pkg/hashwatt_web.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let hw = null;
let benchDoc = null;

function si(value, unit) {
  if (!isFinite(value)) return '–';
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z'];
  let i = 0;
  while (Math.abs(value) >= 1000 && i < prefixes.length - 1) { value /= 1000; i++; }
  return `${value.toPrecision(4)} ${prefixes[i]}${unit}`;
}
function num(x, digits = 4) {
  if (!isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toPrecision(3);
  return Number(x.toPrecision(digits)).toLocaleString('en');
}
const mark = (ok) => `<span class="${ok ? 'pass' : 'fail'}">${ok ? 'pass' : 'FAIL'}</span>`;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

function status(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'status error' : 'status';
}

function kv(table, rows) {
  table.innerHTML = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('');
}

function showAdapter(a) {
  kv($('adapter'), [
    ['name', esc(a.name || '(the browser gives no name)')],
    ['backend', esc(a.backend)],
    ['type', esc(a.type)],
    ['driver', esc([a.driver, a.driver_info].filter(Boolean).join(' ') || '–')],
    ['max workgroup size', a.limits.max_compute_invocations_per_workgroup],
    ['max storage buffer', si(a.limits.max_storage_buffer_binding_size, 'B')],
    ['timestamp queries', a.limits.timestamp_queries ? 'yes' : 'no'],
    ['search kernel', esc(a.kernel)],
  ]);
}

// What the browser says about its adapter (wgpu's WebGPU backend leaves
// the name empty); the same request as wgpu's, with the fallback retry.
async function adapterInfo() {
  let adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) adapter = await navigator.gpu.requestAdapter({ forceFallbackAdapter: true });
  if (!adapter) return {};
  const info = adapter.info || (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  return {
    vendor: info.vendor || '',
    architecture: info.architecture || '',
    device: info.device || '',
    description: info.description || '',
    fallback: Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter),
  };
}

async function runGenesis() {
  status('searching the genesis window…');
  const g = JSON.parse(await hw.genesis());
  $('genesis').innerHTML = `nonce ${g.nonce}, hash <code>${esc(g.hash)}</code> ${mark(g.verified)}` +
    ` <span class="note">(${g.hits} hit(s) in nonces ${g.start}..${g.start + g.count}, each checked with sha2)</span>`;
  return g;
}

async function runVerify() {
  status('verifying…');
  const body = $('verify').querySelector('tbody');
  body.innerHTML = '';
  $('verify-summary').textContent = '';
  const v = JSON.parse(await hw.verify((text) => {
    const row = JSON.parse(text);
    body.insertAdjacentHTML('beforeend',
      `<tr><td>${esc(row.check)}</td><td>${esc(row.detail)}</td><td>${mark(row.passed)}</td></tr>`);
  }));
  const passed = v.rows.filter((r) => r.passed).length;
  $('verify-summary').innerHTML = `${passed}/${v.rows.length} checks passed ${mark(v.passed)}`;
  return v;
}

async function runBench(seconds, watts) {
  status(`warming up, then benching for ${seconds} s…`);
  $('bench-stop').disabled = false;
  $('bench-run').disabled = true;
  const browser = JSON.stringify({
    user_agent: navigator.userAgent,
    logical_cpus: navigator.hardwareConcurrency || null,
    memory_gib: navigator.deviceMemory || null,
    url: location.origin + location.pathname,
  });
  try {
    const text = await hw.bench(seconds, watts, browser, (p) => {
      const at = JSON.parse(p);
      status(`benching: ${at.seconds.toFixed(1)} of ${seconds} s`);
      $('rate').textContent = si(at.hashes_per_second, 'H/s');
      $('nonces').textContent = num(at.nonces, 6);
      $('shares').textContent = at.shares_verified;
      $('elapsed').textContent = `${at.seconds.toFixed(1)} s`;
    });
    benchDoc = JSON.parse(text);
  } finally {
    $('bench-stop').disabled = true;
    $('bench-run').disabled = false;
  }
  const d = benchDoc;
  $('rate').textContent = si(d.hashes_per_second, 'H/s');
  $('nonces').textContent = num(d.nonces, 6);
  $('shares').textContent = `${d.shares.verified} of ${d.shares.found} (${d.shares.bits}-bit shares)`;
  $('elapsed').textContent = `${d.seconds.toFixed(2)} s`;
  const energy = d.energy
    ? `; ${num(d.energy.avg_watts)} W <span class="tag">stated</span> → ${esc(formatJth(d.energy.joules_per_terahash))} J/TH`
    : '; no power stated, so no efficiency';
  const spread = d.spread ? `, intervals p5–p95 ${si(d.spread.p5, 'H/s')}–${si(d.spread.p95, 'H/s')} (${d.stability.verdict})` : '';
  $('bench-result').innerHTML = `${si(d.hashes_per_second, 'H/s')} on ${esc(d.device.name)} [${esc(d.device.backend)}]${spread}${energy}`;
  $('download').disabled = false;
  return benchDoc;
}

function updateEstimate() {
  const jth = parseFloat($('jth').value);
  const inputs = {
    plant_mw: parseFloat($('plant').value),
    fraction: parseFloat($('fraction').value),
    pue: parseFloat($('pue').value),
    joules_per_terahash: isFinite(jth) ? jth : null,
    bench: benchDoc && benchDoc.energy ? benchDoc : null,
  };
  if (inputs.joules_per_terahash === null && inputs.bench === null) return null;
  let out;
  try {
    out = JSON.parse(estimate(JSON.stringify(inputs)));
  } catch (e) {
    $('estimate-note').textContent = String(e.message || e);
    $('estimate-note').className = 'note fail';
    return null;
  }
  // Every figure as the native tool rounds and words it (out.words, made
  // by the same Rust code as `hashwatt estimate`).
  const e = out.estimate;
  const w = out.words;
  const sw = w.scenarios[0];
  $('estimate-note').className = 'note';
  $('estimate-note').innerHTML = `Efficiency ${esc(w.jth)} J/TH from ${esc(e.efficiency.source)}` +
    `${e.efficiency.measured === false ? ' <span class="tag">stated</span>' : ''}; network ${si(e.site.network.hashes_per_second, 'H/s')}${sw.joining ? ' today' : ''} (${esc(e.site.network.basis)}); hashprice ${esc(w.hashprice)}.`;
  $('headline').textContent = sw.headline + (sw.joining ? ` (${sw.joining})` : '');
  const rows = [
    ['power to mining', `${esc(sw.site_mw)} at the site, ${esc(sw.it_mw)} to the devices`],
    ['site hashrate', esc(sw.hashrate)],
    ['devices like this one', sw.devices ? esc(sw.devices) : '–'],
    [sw.joining ? 'share of the network, after joining' : 'share of the network', esc(sw.network_share)],
    ['blocks per day', esc(sw.blocks_per_day)],
    [sw.joining ? 'BTC per day, after joining' : 'BTC per day', esc(sw.btc_per_day)],
    ['energy per day', esc(sw.energy_mwh_per_day)],
  ];
  if (sw.hashprice_after) rows.push(['hashprice once the site joins', esc(sw.hashprice_after)]);
  kv($('scenario'), rows);
  const device = { model: `this device (${e.efficiency.source})`, jth: w.jth, ratio: '1.00×', hashrate: [sw.hashrate], network_share: [sw.network_share], btc_per_day: [sw.btc_per_day] };
  $('asics').querySelector('tbody').innerHTML = [device].concat(w.asics).map((a) =>
    `<tr><td>${esc(a.model)}</td><td class="num">${esc(a.jth)}</td><td class="num">${esc(a.ratio)}</td>` +
    `<td class="num">${esc(a.hashrate[0])}</td><td class="num">${esc(a.network_share[0])}</td><td class="num">${esc(a.btc_per_day[0])}</td></tr>`).join('');
  $('asics-note').textContent = `(ASIC efficiencies are the manufacturers' figures; ${w.ratio_note}.)`;
  $('chart').innerHTML = out.svg;
  return out;
}

function download() {
  if (!benchDoc) return;
  const blob = new Blob([JSON.stringify(benchDoc, null, 2) + '\n'], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `hashwatt-bench-webgpu-${benchDoc.created.replace(/[:]/g, '')}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function guarded(job) {
  try {
    await job();
    status('done');
  } catch (e) {
    status(`error: ${e.message || e}`, true);
  }
}

async function autorun() {
  const result = { ok: false, error: null, adapter: null, genesis: null, verify: null, bench: null, estimate: null };
  try {
    const duration = parseFloat(params.get('duration') || '5');
    const watts = parseFloat(params.get('watts') || '100');
    $('duration').value = duration;
    $('watts').value = watts;
    result.adapter = JSON.parse(hw.adapter());
    const g = await runGenesis();
    result.genesis = { nonce: g.nonce, hash: g.hash, verified: g.verified };
    result.verify = await runVerify();
    result.bench = await runBench(duration, watts);
    const out = updateEstimate();
    if (out) {
      const s = out.estimate.scenarios[0];
      result.estimate = {
        joules_per_terahash: out.estimate.efficiency.joules_per_terahash,
        site_hashes_per_second: s.site_hashes_per_second,
        btc_per_day: s.btc_per_day,
        headline: out.words.scenarios[0].headline,
      };
    }
    result.ok = result.genesis.verified && result.verify.passed &&
      result.bench.shares.found === result.bench.shares.verified;
    if (!result.ok) result.error = 'a check failed';
    status(result.ok ? `autorun done: every check passed (watts ${watts}, stated)` : 'autorun done: a check FAILED', !result.ok);
  } catch (e) {
    result.error = String(e.message || e);
    status(`error: ${result.error}`, true);
  }
  window.hashwattResult = result;
  window.hashwattDone = true;
}

async function main() {
  await init();
  const d = JSON.parse(defaults());
  $('plant').value = d.plant_mw;
  $('pue').value = d.pue;
  for (const id of ['plant', 'fraction', 'pue', 'jth']) $(id).addEventListener('input', updateEstimate);
  if (!navigator.gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  status('opening the WebGPU adapter and compiling the kernels…');
  hw = await Hashwatt.open(JSON.stringify(await adapterInfo()));
  showAdapter(JSON.parse(hw.adapter()));
  $('genesis-run').onclick = () => guarded(runGenesis);
  $('verify-run').onclick = () => guarded(runVerify);
  $('bench-run').onclick = () => guarded(async () => {
    await runBench(parseFloat($('duration').value), parseFloat($('watts').value));
    updateEstimate();
  });
  $('bench-stop').onclick = () => hw.stop();
  $('download').onclick = download;
  status('ready');
  if (params.get('autorun') === '1') await autorun();
}

main().catch((e) => {
  const error = String(e.message || e);
  status(`error: ${error}`, true);
  if (params.get('autorun') === '1') {
    window.hashwattResult = { ok: false, error, adapter: null, genesis: null, verify: null, bench: null };
    window.hashwattDone = true;
  }
});
