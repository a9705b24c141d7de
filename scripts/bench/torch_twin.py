#!/usr/bin/python3
"""The bench's PyTorch twin: the same model folder (config.json + model.safetensors), the same batch, the same
LoRA initial factors (written by the engine in PEFT's layout) and the same steps as scripts/bench, in plain
torch written to transformers' numerics (GPT-2: fused c_attn, gelu_new, tied head; Llama: RMSNorm,
rotate_half RoPE, GQA by repeat_kv, SwiGLU). Prints one JSON line.

  /usr/bin/python3 torch_twin.py '{"modelDir": ..., "inputsFile": ..., "mode": "lora"|"full"|"generate",
      "loraInit": FILE|null, "loraScale": 2.0, "warmup": 1, "steps": 2, "threads": 1, "lr": 0.001,
      "device": "cpu"|"cuda"}'

Set OPENBLAS_NUM_THREADS to the same thread count (Debian's torch uses OpenBLAS for sgemm). On "cuda" every
step ends in a host read (loss.item(), the argmax), so the timings include the GPU's work.
"""
import json, math, os, resource, struct, sys, time
import torch
import torch.nn.functional as F

DTYPES = {'F32': torch.float32, 'I32': torch.int32}
DEV = torch.device('cpu')  # set from the request in main()


def read_safetensors(path):
    """8-byte little-endian header length, a JSON header, then raw little-endian data."""
    with open(path, 'rb') as f:
        buf = bytearray(f.read())
    n = struct.unpack('<Q', bytes(buf[:8]))[0]
    header = json.loads(bytes(buf[8:8 + n]))
    out = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        start, end = entry['data_offsets']
        dtype = DTYPES[entry['dtype']]
        count = (end - start) // 4
        out[name] = torch.frombuffer(buf, dtype=dtype, count=count, offset=8 + n + start).reshape(entry['shape'])
    return out


class Lora:
    """PEFT's LoRA on the named modules: y += scale · (x Aᵀ) Bᵀ."""

    def __init__(self, factors, scale):
        self.factors, self.scale = factors, scale

    def delta(self, module, x):
        a = self.factors.get(module + '.lora_A.weight')
        if a is None:
            return None
        return (x @ a.t()) @ self.factors[module + '.lora_B.weight'].t() * self.scale


def linear(P, lora, module, x, conv1d):
    w = P[module + '.weight']
    y = x @ w if conv1d else x @ w.t()  # Conv1D stores [in, out], nn.Linear [out, in]
    b = P.get(module + '.bias')
    if b is not None:
        y = y + b
    d = lora.delta(module, x) if lora else None
    return y if d is None else y + d


def attend(q, k, v, past_len):
    """softmax(q kᵀ/√D + causal mask) v, eager as transformers; q [B,H,T,D], k/v [B,H,S,D]."""
    T, S = q.shape[2], k.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if T > 1:
        mask = torch.ones(T, S, dtype=torch.bool, device=DEV).tril(diagonal=past_len)
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1) @ v


def gpt2_forward(cfg, P, lora, ids, cache, past_len):
    B, T = ids.shape
    C, H = cfg['n_embd'], cfg['n_head']
    D, eps = C // H, cfg.get('layer_norm_epsilon', 1e-5)
    pos = torch.arange(past_len, past_len + T, device=DEV)
    x = P['transformer.wte.weight'][ids] + P['transformer.wpe.weight'][pos]
    ln = lambda t, name: F.layer_norm(t, (C,), P[name + '.weight'], P[name + '.bias'], eps)
    for i in range(cfg['n_layer']):
        p = f'transformer.h.{i}'
        qkv = linear(P, lora, p + '.attn.c_attn', ln(x, p + '.ln_1'), True)
        q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
        if cache is not None:
            k, v = cache.append(i, k, v)
        y = attend(q, k, v, past_len).transpose(1, 2).reshape(B, T, C)
        x = x + linear(P, lora, p + '.attn.c_proj', y, True)
        h = F.gelu(linear(P, lora, p + '.mlp.c_fc', ln(x, p + '.ln_2'), True), approximate='tanh')
        x = x + linear(P, lora, p + '.mlp.c_proj', h, True)
    return ln(x, 'transformer.ln_f') @ P['transformer.wte.weight'].t()


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


def llama_forward(cfg, P, lora, ids, cache, past_len):
    B, T = ids.shape
    C, H = cfg['hidden_size'], cfg['num_attention_heads']
    K = cfg.get('num_key_value_heads', H)
    D, eps = C // H, cfg.get('rms_norm_eps', 1e-6)
    inv_freq = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    angles = torch.arange(past_len, past_len + T).float()[:, None] * inv_freq[None, :]  # [T, D/2]
    angles = angles.to(DEV)
    cos, sin = angles.cos(), angles.sin()
    rms = lambda t, w: t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps) * w
    x = P['model.embed_tokens.weight'][ids]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        h = rms(x, P[p + '.input_layernorm.weight'])
        q = rotate(linear(P, lora, p + '.self_attn.q_proj', h, False).view(B, T, H, D).transpose(1, 2), cos, sin)
        k = rotate(linear(P, lora, p + '.self_attn.k_proj', h, False).view(B, T, K, D).transpose(1, 2), cos, sin)
        v = linear(P, lora, p + '.self_attn.v_proj', h, False).view(B, T, K, D).transpose(1, 2)
        if cache is not None:
            k, v = cache.append(i, k, v)
        k, v = (t.repeat_interleave(H // K, dim=1) for t in (k, v))  # repeat_kv
        y = attend(q, k, v, past_len).transpose(1, 2).reshape(B, T, C)
        x = x + linear(P, lora, p + '.self_attn.o_proj', y, False)
        m = rms(x, P[p + '.post_attention_layernorm.weight'])
        gated = F.silu(linear(P, lora, p + '.mlp.gate_proj', m, False)) * linear(P, lora, p + '.mlp.up_proj', m, False)
        x = x + linear(P, lora, p + '.mlp.down_proj', gated, False)
    x = rms(x, P['model.norm.weight'])
    head = P.get('lm_head.weight', P['model.embed_tokens.weight'])
    return x @ head.t()


class ConcatCache:
    """transformers' DynamicCache: torch.cat per step."""

    def __init__(self):
        self.kv = {}

    def append(self, layer, k, v):
        if layer in self.kv:
            pk, pv = self.kv[layer]
            k, v = torch.cat((pk, k), dim=2), torch.cat((pv, v), dim=2)
        self.kv[layer] = (k, v)
        return k, v


FORWARD = {'gpt2': gpt2_forward, 'llama': llama_forward}
TRAINED_MODULES = ('c_attn', 'c_proj', 'c_fc', '_proj')  # the linear layers (full fine-tuning trains these)


def loaded_blas():
    """The BLAS library torch's sgemm runs on (Debian's torch links libblas.so.3, whichever provides it)."""
    with open('/proc/self/maps') as maps:
        paths = {line.split()[-1] for line in maps if 'blas' in line.split()[-1]}
    return sorted(paths)[0] if paths else None


def main():
    global DEV
    a = json.loads(sys.argv[1])
    DEV = torch.device(a.get('device', 'cpu'))
    torch.set_num_threads(a['threads'])
    torch.manual_seed(0)
    cfg = json.load(open(os.path.join(a['modelDir'], 'config.json')))
    forward = FORWARD[cfg['model_type']]
    P = {k: v.clone().to(DEV) for k, v in read_safetensors(os.path.join(a['modelDir'], 'model.safetensors')).items()}
    inputs = json.load(open(a['inputsFile']))
    mode, warmup, steps = a['mode'], a['warmup'], a['steps']
    times, cpu_times, losses, generated, trainable = [], [], [], [], []

    if mode == 'generate':
        prompt = torch.tensor([inputs['prompt']], dtype=torch.long, device=DEV)

        def call(new_tokens):
            cache, ids, past, out = ConcatCache(), prompt, 0, []
            with torch.no_grad():
                for step in range(new_tokens):
                    logits = forward(cfg, P, None, ids, cache, past)
                    past += ids.shape[1]
                    token = int(logits[0, -1].argmax())
                    out.append(token)
                    ids = torch.tensor([[token]], dtype=torch.long, device=DEV)
            return out

        for _ in range(warmup):
            call(8)
        for _ in range(steps):
            t0, c0 = time.perf_counter(), time.process_time()
            generated = call(a['newTokens'])
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        tokens = a['newTokens']
    else:
        B, T = a['batch'], a['time']
        ids = torch.tensor(inputs['ids'], dtype=torch.long, device=DEV).view(B, T)
        lora = None
        if mode == 'lora':
            factors = {k: v.clone().to(DEV).requires_grad_(True) for k, v in read_safetensors(a['loraInit']).items()}
            lora, trainable = Lora(factors, a['loraScale']), list(factors.values())
        else:
            for name, t in P.items():
                if t.dim() >= 1 and any(m + '.' in name for m in TRAINED_MODULES) and 'embed' not in name:
                    t.requires_grad_(True)
                    trainable.append(t)
        opt = torch.optim.AdamW(trainable, lr=a['lr'], weight_decay=0.0)
        for i in range(warmup + steps):
            t0, c0 = time.perf_counter(), time.process_time()
            opt.zero_grad(set_to_none=True)
            logits = forward(cfg, P, lora, ids, None, 0)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if i >= warmup:
                times.append(time.perf_counter() - t0)
                cpu_times.append(time.process_time() - c0)
        tokens = B * T
    ms = 1000 * sum(times) / len(times)
    print(json.dumps(dict(
        torch=torch.__version__, blas=loaded_blas(), threads=torch.get_num_threads(), openblas_threads=os.environ.get('OPENBLAS_NUM_THREADS'),
        ms_per_step=ms, cpu_ms_per_step=1000 * sum(cpu_times) / len(cpu_times), tokens_per_s=tokens / (ms / 1000), losses=losses, generated=generated,
        trainable_params=sum(t.numel() for t in trainable),
        device=str(DEV),
        peak_mb=torch.cuda.max_memory_allocated() // (1 << 20) if DEV.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)))


if __name__ == '__main__':
    main()
