/**
 * WGSL compute programs for the fused kernels (names and math: models/fused-ops.ts), in the shape the tfjs
 * webgpu backend runs them (backend.runWebGPUProgram): it declares the output `result`, one read-only array
 * per entry of `variableNames`, a `uniforms` struct (shapes, `size`, then ours) and `main(index)`, where
 * index is the invocation's flat global index. Two shapes of program:
 *   - elementwise: one invocation per output value;
 *   - per row: one workgroup per row of the last axis, reducing across the workgroup in shared memory.
 * Each replaces a chain of composed ops (GELU: 8 dispatches; layer norm: 7 forward and about 20 backward;
 * the Adam update: 12 per parameter), which on a GPU is dispatches and round trips through memory.
 */

/** What runWebGPUProgram reads of a program (tfjs-backend-webgpu's WebGPUProgram, which we do not import). */
export interface GpuProgram {
  variableNames: string[]
  outputShape: number[]
  shaderKey: string
  dispatchLayout: { x: number[] }
  dispatch: [number, number, number]
  workgroupSize: [number, number, number]
  uniforms?: string
  size?: boolean
  getUserCode: () => string
}

const ELEMENTWISE_WORKGROUP = 256

/** tanh that stays finite for large |u| (exp(2u) would overflow to ∞/∞). */
const stableTanh = /* wgsl */ `
fn stableTanh(u : f32) -> f32 {
  let e = exp(-2.0 * abs(u));
  return sign(u) * (1.0 - e) / (1.0 + e);
}`

const GELU_CONSTANTS = /* wgsl */ `
const SQRT_2_OVER_PI = 0.7978845608028654;
const CUBIC = 0.044715;`

/** One invocation per output value; `body` sets `value` from index `i`. */
function elementwise(shaderKey: string, variableNames: string[], outputShape: number[], body: string, extra = '', uniforms?: string): GpuProgram {
  const size = outputShape.reduce((a, b) => a * b, 1)
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / ELEMENTWISE_WORKGROUP), 1, 1],
    workgroupSize: [ELEMENTWISE_WORKGROUP, 1, 1],
    size: true,
    ...(uniforms ? { uniforms } : {}),
    getUserCode: () => `
${extra}
fn main(index : i32) {
  if (index < uniforms.size) {
    let i = index;
    var value = 0.0;
    ${body}
    result[i] = value;
  }
}`,
  }
}

/** Workgroup width for rows of `cols` values: wide rows (a vocabulary) get more invocations. */
function rowWorkgroup(cols: number): number {
  return cols >= 2048 ? 256 : cols >= 256 ? 128 : 64
}

/**
 * Workgroup reductions, each with its own shared buffer: rowSum(v, tid) and rowMax(v, tid) for the first
 * reduction of a program, rowSum2/rowMax2 for the second; each buffer is used once. A buffer reused by the next
 * reduction was overwritten before every invocation had read the previous result on Mesa's llvmpipe (the
 * barrier after the read did not hold): variances came out 4x too large at 40 columns.
 */
function reducers(width: number): string {
  return ['', '2'].map((k) => `
var<workgroup> partial${k} : array<f32, ${width}>;
fn rowSum${k}(v : f32, tid : i32) -> f32 {
  partial${k}[tid] = v;
  workgroupBarrier();
  for (var stride = W / 2; stride > 0; stride = stride / 2) {
    if (tid < stride) { partial${k}[tid] = partial${k}[tid] + partial${k}[tid + stride]; }
    workgroupBarrier();
  }
  return partial${k}[0];
}
fn rowMax${k}(v : f32, tid : i32) -> f32 {
  partial${k}[tid] = v;
  workgroupBarrier();
  for (var stride = W / 2; stride > 0; stride = stride / 2) {
    if (tid < stride) { partial${k}[tid] = max(partial${k}[tid], partial${k}[tid + stride]); }
    workgroupBarrier();
  }
  return partial${k}[0];
}`).join('\n')
}

/**
 * One workgroup per row: `row`, `tid` (0…W−1), `W`, `cols`, `valid` (row < rows) are in scope for `body`,
 * with the reducers above, which combine one value per invocation across the workgroup. They hold barriers:
 * call them outside branches that depend on the invocation (here only `valid` guards loads and stores).
 */
function perRow(shaderKey: string, variableNames: string[], outputShape: number[], rows: number, cols: number, body: string, uniforms = ''): GpuProgram {
  const width = rowWorkgroup(cols)
  return {
    variableNames,
    outputShape,
    shaderKey: `${shaderKey}_w${width}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, rows), 1, 1],
    workgroupSize: [width, 1, 1],
    uniforms: `rows : i32, cols : i32, ${uniforms}`,
    getUserCode: () => `
const W = ${width};
${reducers(width)}
fn main(index : i32) {
  let tid = i32(localId.x);
  let row = index / W;
  let cols = uniforms.cols;
  let valid = row < uniforms.rows;
  let base = row * cols;
  ${body}
}`,
  }
}

export function geluTanhProgram(shape: number[]): GpuProgram {
  return elementwise('ftn_gelu_tanh', ['x'], shape, `
    let v = x[i];
    value = 0.5 * v * (1.0 + stableTanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));`, GELU_CONSTANTS + stableTanh)
}

export function geluTanhGradProgram(shape: number[]): GpuProgram {
  return elementwise('ftn_gelu_tanh_grad', ['dy', 'x'], shape, `
    let v = x[i];
    let t = stableTanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v));
    let inner = SQRT_2_OVER_PI * (1.0 + 3.0 * CUBIC * v * v);
    value = dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * inner);`, GELU_CONSTANTS + stableTanh)
}

/** Mean and variance in two passes over the row (as tf.moments: the mean first, then squared deviations). */
const rowMoments = /* wgsl */ `
  var s = 0.0;
  if (valid) { for (var c = tid; c < cols; c = c + W) { s = s + x[base + c]; } }
  let mean = rowSum(s, tid) / f32(cols);
  var q = 0.0;
  if (valid) { for (var c = tid; c < cols; c = c + W) { let d = x[base + c] - mean; q = q + d * d; } }
  let rstd = inverseSqrt(rowSum2(q, tid) / f32(cols) + uniforms.eps);`

export function layerNormProgram(shape: number[], rows: number, cols: number): GpuProgram {
  return perRow('ftn_layer_norm', ['x', 'gamma', 'beta'], shape, rows, cols, `${rowMoments}
  if (valid) { for (var c = tid; c < cols; c = c + W) { result[base + c] = (x[base + c] - mean) * rstd * gamma[c] + beta[c]; } }`, 'eps : f32,')
}

/** [rows, 2]: each row's mean and 1/√(var + eps), for the backward programs. */
export function layerNormStatsProgram(rows: number, cols: number): GpuProgram {
  return perRow('ftn_layer_norm_stats', ['x'], [rows, 2], rows, cols, `${rowMoments}
  if (valid && tid == 0) { result[row * 2] = mean; result[row * 2 + 1] = rstd; }`, 'eps : f32,')
}

/** dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = dy·gamma, x̂ the normalised input. */
export function layerNormGradXProgram(shape: number[], rows: number, cols: number): GpuProgram {
  return perRow('ftn_layer_norm_dx', ['dy', 'x', 'gamma', 'stats'], shape, rows, cols, `
  var mean = 0.0;
  var rstd = 0.0;
  if (valid) { mean = stats[row * 2]; rstd = stats[row * 2 + 1]; }
  var sg = 0.0;
  var sgx = 0.0;
  if (valid) {
    for (var c = tid; c < cols; c = c + W) {
      let g = dy[base + c] * gamma[c];
      sg = sg + g;
      sgx = sgx + g * (x[base + c] - mean) * rstd;
    }
  }
  let mg = rowSum(sg, tid) / f32(cols);
  let mgx = rowSum2(sgx, tid) / f32(cols);
  if (valid) {
    for (var c = tid; c < cols; c = c + W) {
      result[base + c] = rstd * (dy[base + c] * gamma[c] - mg - (x[base + c] - mean) * rstd * mgx);
    }
  }`)
}

/** Rows a column-sum invocation adds up in the first pass: enough invocations for a GPU, few passes. */
export const COLUMN_CHUNK_ROWS = 64

/**
 * First pass of the column sums over rows, [chunks, cols] partial sums of COLUMN_CHUNK_ROWS rows each:
 * dgamma's Σ dy·x̂ (withNormalised) or dbeta's Σ dy. One invocation per (chunk, column).
 */
export function layerNormGradColumnsProgram(rows: number, cols: number, withNormalised: boolean): GpuProgram {
  const chunks = Math.ceil(rows / COLUMN_CHUNK_ROWS)
  const term = withNormalised ? 'dy[r * cols + col] * (x[r * cols + col] - stats[r * 2]) * stats[r * 2 + 1]' : 'dy[r * cols + col]'
  return elementwise(withNormalised ? 'ftn_layer_norm_dgamma' : 'ftn_layer_norm_dbeta', withNormalised ? ['dy', 'x', 'stats'] : ['dy'], [chunks, cols], `
    let cols = uniforms.cols;
    let chunk = i / cols;
    let col = i - chunk * cols;
    let end = min(uniforms.rows, (chunk + 1) * ${COLUMN_CHUNK_ROWS});
    var total = 0.0;
    for (var r = chunk * ${COLUMN_CHUNK_ROWS}; r < end; r = r + 1) { total = total + ${term}; }
    value = total;`, '', 'rows : i32, cols : i32,')
}

/** Second pass: [chunks, cols] partial sums → [cols]. */
export function columnSumProgram(chunks: number, cols: number): GpuProgram {
  return elementwise('ftn_column_sum', ['partial'], [cols], `
    var total = 0.0;
    for (var c = 0; c < uniforms.chunks; c = c + 1) { total = total + partial[c * uniforms.cols + i]; }
    value = total;`, '', 'chunks : i32, cols : i32,')
}

export function logSumExpRowsProgram(rows: number, cols: number): GpuProgram {
  return perRow('ftn_log_sum_exp', ['x'], [rows], rows, cols, `
  var m = -3.402823e+38;
  if (valid) { for (var c = tid; c < cols; c = c + W) { m = max(m, x[base + c]); } }
  let top = rowMax(m, tid);
  var s = 0.0;
  if (valid) { for (var c = tid; c < cols; c = c + W) { s = s + exp(x[base + c] - top); } }
  let total = rowSum2(s, tid);
  if (valid && tid == 0) { result[row] = top + log(total); }`)
}

/** (exp(x − lse) − [col = label])·scale, per value of [N, V] logits. */
export function softmaxCrossEntropyGradProgram(rows: number, cols: number): GpuProgram {
  return elementwise('ftn_softmax_xent_grad', ['x', 'lse', 'labels', 'rowScale'], [rows, cols], `
    let row = i / uniforms.cols;
    let col = i - row * uniforms.cols;
    var p = exp(x[i] - lse[row]);
    if (col == labels[row]) { p = p - 1.0; }
    value = p * rowScale[row];`, '', 'cols : i32,')
}

export type AdamOutput = 'param' | 'm' | 'v'

/**
 * One of the three results of an Adam/AdamW update, in optimizers/adam.ts's order of operations (the native
 * kernel's too). Each output is its own dispatch: a program writes one buffer; all three read the same inputs.
 */
export function adamStepProgram(shape: number[], output: AdamOutput, decoupled: boolean): GpuProgram {
  const decay = decoupled ? 'p = p * uniforms.keep;' : 'g = g + p * uniforms.weightDecay;'
  const write = { m: 'value = mn;', v: 'value = vn;', param: 'value = p - mn / (sqrt(vn) / uniforms.biasCorrection2Sqrt + uniforms.eps) * uniforms.stepSize;' }[output]
  return elementwise(`ftn_adam_${output}_${decoupled ? 'decoupled' : 'l2'}`, ['param', 'grad', 'm', 'v'], shape, `
    var p = param[i];
    var g = grad[i];
    if (uniforms.weightDecay != 0.0) { ${decay} }
    let mn = m[i] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
    let vn = v[i] * uniforms.beta2 + g * g * uniforms.oneMinusBeta2;
    ${write}`, '', 'keep : f32, weightDecay : f32, beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, eps : f32, stepSize : f32, biasCorrection2Sqrt : f32,')
}
