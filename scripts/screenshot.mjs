// Regenerates the README's pictures of the wizard: runs `--demo` in a tmux pane (100x40,
// CLH_DEMO_FAST=1), presses Enter through every question, captures the pane with its
// colours and writes them as SVG:
//   docs/wizard-interview.svg  the first screen of questions (the SSH address open)
//   docs/wizard-run.svg        from the confirmed plan to the summary's site line
// Needs tmux and a build (`npm run build`); builds nothing itself. No dependency: the
// ANSI-to-SVG conversion is below.
//
// Usage: node scripts/screenshot.mjs [--out DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'create-litestream-host.js');
const COLS = 100;
const ROWS = 40;
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? process.argv[outArg + 1] : join(ROOT, 'docs');

if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
  console.error('screenshot: run `npm run build` first');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------
// ANSI (as `tmux capture-pane -e` writes it) to cells, cells to SVG.

/** A dark theme for the 16 basic colours (One Dark-like). */
const PALETTE = [
  '#3f4451', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#d7dae0',
  '#7f848e', '#ff7b86', '#b5e890', '#ffd68a', '#8cc8ff', '#de9bf0', '#7fd6e0', '#ffffff',
];
const BG = '#1b1e24';
const FG = '#d7dae0';

/** xterm's 256 colours: the 16 above, a 6x6x6 cube, 24 greys. */
function color256(n) {
  if (n < 16) return PALETTE[n];
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `#${[v[Math.floor(i / 36)], v[Math.floor(i / 6) % 6], v[i % 6]].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  }
  const g = (8 + (n - 232) * 10).toString(16).padStart(2, '0');
  return `#${g}${g}${g}`;
}

const plainStyle = () => ({ fg: undefined, bg: undefined, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false });

/** Applies one SGR parameter list to a style (mutates it). */
function sgr(style, params) {
  const p = params.length ? params : [0];
  for (let i = 0; i < p.length; i++) {
    const n = p[i];
    if (n === 0) Object.assign(style, plainStyle());
    else if (n === 1) style.bold = true;
    else if (n === 2) style.dim = true;
    else if (n === 3) style.italic = true;
    else if (n === 4) style.underline = true;
    else if (n === 7) style.inverse = true;
    else if (n === 9) style.strike = true;
    else if (n === 22) style.bold = style.dim = false;
    else if (n === 23) style.italic = false;
    else if (n === 24) style.underline = false;
    else if (n === 27) style.inverse = false;
    else if (n === 29) style.strike = false;
    else if (n >= 30 && n <= 37) style.fg = PALETTE[n - 30];
    else if (n === 39) style.fg = undefined;
    else if (n >= 40 && n <= 47) style.bg = PALETTE[n - 40];
    else if (n === 49) style.bg = undefined;
    else if (n >= 90 && n <= 97) style.fg = PALETTE[n - 90 + 8];
    else if (n >= 100 && n <= 107) style.bg = PALETTE[n - 100 + 8];
    else if (n === 38 || n === 48) {
      let c;
      if (p[i + 1] === 5) (c = color256(p[i + 2] ?? 0)), (i += 2);
      else if (p[i + 1] === 2) (c = `#${[p[i + 2], p[i + 3], p[i + 4]].map((x) => (x ?? 0).toString(16).padStart(2, '0')).join('')}`), (i += 4);
      if (n === 38) style.fg = c;
      else style.bg = c;
    }
  }
}

/** Rows of cells { ch, style } from captured ANSI text; attributes carry over line ends, as tmux writes them. */
export function parseAnsi(text) {
  const rows = [];
  let row = [];
  const style = plainStyle();
  // CSI ... final, OSC ... BEL/ST, other two-byte escapes, or one character.
  const re = /\u001b\[([0-9;:]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]|([\s\S])/gu;
  for (const m of text.matchAll(re)) {
    if (m[2] === 'm') sgr(style, m[1].split(/[;:]/).filter((x) => x !== '').map(Number));
    else if (m[3] === '\n') rows.push(row), (row = []);
    else if (m[3] !== undefined && m[3] !== '\r' && m[3] >= ' ') row.push({ ch: m[3], style: { ...style } });
  }
  if (row.length) rows.push(row);
  return rows;
}

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const sameStyle = (a, b) => a.fg === b.fg && a.bg === b.bg && a.bold === b.bold && a.dim === b.dim && a.italic === b.italic && a.underline === b.underline && a.inverse === b.inverse && a.strike === b.strike;

/** Box-drawing characters, drawn as lines so that they join across rows and cells: [up, right, down, left, rounded]. */
const BOX = {
  '│': [1, 0, 1, 0], '─': [0, 1, 0, 1], '┌': [0, 1, 1, 0], '┐': [0, 0, 1, 1], '└': [1, 1, 0, 0], '┘': [1, 0, 0, 1],
  '╭': [0, 1, 1, 0, 1], '╮': [0, 0, 1, 1, 1], '╰': [1, 1, 0, 0, 1], '╯': [1, 0, 0, 1, 1],
  '├': [1, 1, 1, 0], '┤': [1, 0, 1, 1], '┬': [0, 1, 1, 1], '┴': [1, 1, 0, 1], '┼': [1, 1, 1, 1],
};

/** The path of one box-drawing cell whose top left corner is (x, y). */
function boxPath([up, right, down, left, round], x, y, w, h) {
  const cx = +(x + w / 2).toFixed(1);
  const cy = +(y + h / 2).toFixed(1);
  const r = w / 2;
  const R = +(x + w).toFixed(1);
  const B = y + h;
  if (round) {
    // One corner: from the vertical end to the horizontal end through a quarter curve.
    const vy = up ? y : B;
    const hx = left ? x : R;
    const sy = up ? cy - r : cy + r;
    const sx = left ? cx - r : cx + r;
    return `M${cx} ${vy}V${sy.toFixed(1)}Q${cx} ${cy} ${sx.toFixed(1)} ${cy}H${hx}`;
  }
  let d = '';
  if (up || down) d += `M${cx} ${up ? y : cy}V${down ? B : cy}`;
  if (left || right) d += `M${left ? x : cx} ${cy}H${right ? R : cx}`;
  return d;
}

/**
 * An SVG of a terminal: a window with a title bar, the cells in a monospace font. Every run
 * of same-styled text is placed at its column and stretched to its cells (textLength), so
 * columns stay aligned whatever monospace font the viewer has; box-drawing characters are
 * lines, so borders join.
 */
export function toSvg(rows, o = {}) {
  const cols = o.cols ?? Math.max(...rows.map((r) => r.length));
  const fontSize = 13;
  const cw = 7.8; // cell width: 0.6em, the usual monospace advance
  const lh = 17;
  const pad = 14;
  const bar = 30;
  const width = Math.ceil(cols * cw + pad * 2);
  const height = Math.ceil(rows.length * lh + pad * 2 + bar);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title ?? 'terminal')}">`);
  out.push(`<style>text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace;font-size:${fontSize}px;white-space:pre}.b{font-weight:bold}.d{opacity:.6}.i{font-style:italic}.u{text-decoration:underline}.s{text-decoration:line-through}path{fill:none;stroke-width:1.1}</style>`);
  out.push(`<rect width="${width}" height="${height}" rx="8" fill="${BG}"/>`);
  out.push(`<rect width="${width}" height="${bar}" rx="8" fill="#2a2e36"/><rect y="${bar - 8}" width="${width}" height="8" fill="#2a2e36"/>`);
  ['#ff5f57', '#febc2e', '#28c840'].forEach((c, i) => out.push(`<circle cx="${pad + 6 + i * 20}" cy="${bar / 2}" r="6" fill="${c}"/>`));
  if (o.title) out.push(`<text x="${width / 2}" y="${bar / 2 + 4}" text-anchor="middle" fill="#9da5b4">${esc(o.title)}</text>`);
  const top = bar + pad;
  const colours = (s) => ({ fg: (s.inverse ? s.bg ?? BG : s.fg) ?? FG, bg: s.inverse ? s.fg ?? FG : s.bg });
  const classes = (s) => [s.bold && 'b', s.dim && 'd', s.italic && 'i', s.underline && 'u', s.strike && 's'].filter(Boolean).join(' ');
  rows.forEach((row, y) => {
    const base = top + y * lh;
    const cellX = (x) => (pad + x * cw).toFixed(1);
    // Backgrounds first, one rectangle per run of the same colour.
    for (let x = 0; x < row.length; ) {
      const { bg } = colours(row[x].style);
      let end = x + 1;
      while (end < row.length && colours(row[end].style).bg === bg) end++;
      if (bg) out.push(`<rect x="${cellX(x)}" y="${base}" width="${((end - x) * cw).toFixed(1)}" height="${lh}" fill="${bg}"/>`);
      x = end;
    }
    // Box-drawing cells as one path per colour and dimness.
    const paths = new Map();
    row.forEach((c, x) => {
      const box = BOX[c.ch];
      if (!box) return;
      const { fg } = colours(c.style);
      const key = `${fg}|${c.style.dim}`;
      paths.set(key, (paths.get(key) ?? '') + boxPath(box, pad + x * cw, base, cw, lh));
    });
    for (const [key, d] of paths) {
      const [fg, dim] = key.split('|');
      out.push(`<path d="${d}" stroke="${fg}"${dim === 'true' ? ' class="d"' : ''}/>`);
    }
    // Text: runs of the same style, broken at box-drawing cells.
    for (let x = 0; x < row.length; ) {
      if (BOX[row[x].ch]) {
        x++;
        continue;
      }
      const s = row[x].style;
      let end = x + 1;
      while (end < row.length && !BOX[row[end].ch] && sameStyle(row[end].style, s)) end++;
      const cells = row.slice(x, end).map((c) => c.ch);
      const lead = cells.findIndex((c) => c !== ' ');
      if (lead >= 0) {
        let last = cells.length - 1;
        while (cells[last] === ' ') last--;
        const text = cells.slice(lead, last + 1).join('');
        const n = last + 1 - lead;
        const cls = classes(s);
        out.push(
          `<text x="${cellX(x + lead)}" y="${base + lh - 4.5}" fill="${colours(s).fg}"${cls ? ` class="${cls}"` : ''}${n > 1 ? ` textLength="${(n * cw).toFixed(1)}"` : ''} xml:space="preserve">${esc(text)}</text>`,
        );
      }
      x = end;
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------
// The demo in tmux.

const dir = mkdtempSync(join(tmpdir(), 'clh-shot-'));
const sock = join(dir, 'sock');
const conf = join(dir, 'tmux.conf');
writeFileSync(conf, 'set -g status off\nset -g history-limit 10000\n');
const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, LANG: 'C.UTF-8', CLH_DEMO_FAST: '1' };
const tmux = (...args) => execFileSync('tmux', ['-S', sock, '-f', conf, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

async function waitFor(test, what, ms = 60_000) {
  const until = Date.now() + ms;
  for (;;) {
    const s = tmux('capture-pane', '-t', 'demo', '-p', '-J', '-S', '-1000');
    if (test(s)) return s;
    if (Date.now() > until) throw new Error(`screenshot: timed out waiting for ${what}; the screen:\n${s}`);
    await sleep(100);
  }
}

const promptOpen = (s) => s.trimEnd().split('\n').pop()?.trim() === '└';
const answered = (s) => s.split('◇').length;

try {
  execFileSync('env', ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'tmux', '-S', sock, '-f', conf, 'new-session', '-d', '-s', 'demo', '-x', String(COLS), '-y', String(ROWS), '-c', dir, `${q(process.execPath)} ${q(BIN)} --demo; echo EXIT=$?; sleep 3600`]);
  let interview;
  for (let n = 0; ; n++) {
    const s = await waitFor((x) => promptOpen(x) || /^EXIT=\d+/m.test(x), 'a question or the end');
    if (!promptOpen(s)) break;
    if (n > 30) throw new Error(`screenshot: too many questions:\n${s}`);
    if (!interview && s.includes('◆  SSH address')) interview = tmux('capture-pane', '-t', 'demo', '-p', '-e');
    tmux('send-keys', '-t', 'demo', 'Enter');
    await waitFor((x) => answered(x) > answered(s), 'the answer');
  }
  const plain = tmux('capture-pane', '-t', 'demo', '-p', '-J', '-S', '-1000');
  if (!/^EXIT=0$/m.test(plain)) throw new Error(`screenshot: the demo did not succeed:\n${plain}`);
  if (!interview) throw new Error('screenshot: the SSH address question never showed');

  // The run: from the confirmed plan to the summary's `site:` line (the live view's last frame).
  const all = tmux('capture-pane', '-t', 'demo', '-p', '-e', '-S', '-1000').split('\n');
  const strip = (l) => l.replace(/\u001b\[[0-9;:]*[@-~]/g, '');
  const from = all.findIndex((l) => /^◇ {2}Apply \d+ changes\?/.test(strip(l)));
  const to = all.findIndex((l, i) => i > from && /^ {2}site: /.test(strip(l)));
  if (from < 0 || to < 0) throw new Error(`screenshot: the run is not on screen:\n${plain}`);
  // Attributes set before the window still apply inside it: parse from the top, then cut.
  const runRows = parseAnsi(all.slice(0, to + 1).join('\n')).slice(from);

  mkdirSync(OUT, { recursive: true });
  const files = {
    'wizard-interview.svg': toSvg(parseAnsi(interview.replace(/\n+$/, '')), { cols: COLS, title: 'npx create-litestream-host --demo' }),
    'wizard-run.svg': toSvg(runRows, { cols: COLS, title: 'npx create-litestream-host --demo' }),
  };
  for (const [name, svg] of Object.entries(files)) {
    writeFileSync(join(OUT, name), svg);
    console.log(`wrote ${join(OUT, name)} (${(svg.length / 1024).toFixed(0)} KiB)`);
  }
} finally {
  try {
    tmux('kill-server');
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}
