// Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof`).
//   node bench/profile-summary.mjs bench/profiles/<file>.cpuprofile [top=10]
// Self time = samples whose top frame is the function, weighted by their time deltas;
// functions are merged by name + script + line. "(idle)" is the event loop waiting.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 10);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const f = node.callFrame;
  const where = f.url
    ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}`
    : '';
  const key = `${f.functionName || '(anonymous)'}\t${where}`;
  self.set(key, (self.get(key) ?? 0) + dt);
}
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(
  `${file}: ${(total / 1e6).toFixed(2)}s sampled, ${(idle / 1e6).toFixed(2)}s idle, ${((total - idle) / 1e6).toFixed(2)}s busy`,
);
console.log('| # | self ms | % of busy | function | location |');
console.log('|---|---------|-----------|----------|----------|');
rows.forEach(([key, us], i) => {
  const [name, where] = key.split('\t');
  const pct = name === '(idle)' ? '–' : ((100 * us) / (total - idle)).toFixed(1);
  console.log(`| ${i + 1} | ${(us / 1000).toFixed(0)} | ${pct} | ${name} | ${where} |`);
});
