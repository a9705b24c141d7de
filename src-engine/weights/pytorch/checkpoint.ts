/**
 * One PyTorch checkpoint file (torch.save's zip format) as a TensorSource. Opening it reads only the zip's
 * central directory and data.pkl; tensor bytes are read on get(), one view at a time, so a multi-GiB file
 * never sits in memory whole. Views are materialised C-contiguous; several entries that view one storage
 * (tied embeddings) each get their own copy of the bytes they cover.
 *
 * The file's top-level object is a state dict ({name: tensor}); wrappers such as {"state_dict": {...}} or
 * {"model": {...}, "optimizer": ...} are unwrapped, and nested dicts of tensors are flattened with dots.
 */
import fs from 'node:fs'
import { bytesPerElement, elementCount, type StoredDType, type StoredTensor, type TensorSource } from '../stored-tensor'
import { PickleError, unpickle } from './pickle'
import { gatherStrided, isContiguous, viewSpan } from './strided'
import { findTorchGlobal, RefusedGlobalError, type StorageRef, storageFromPersistentId, TensorRef } from './torch-globals'
import { looksLikeZip, ZipArchive } from './zip'

/** Keys under which training scripts commonly nest the state dict, most specific first. */
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'module', 'model', 'network', 'net', 'params', 'weights']

const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

/** A python one-liner that rewrites a checkpoint in the zip format, without running code from it. */
export function convertCommand(file: string): string {
  const quoted = JSON.stringify(file)
  return `python3 -c "import torch; torch.save(torch.load(${quoted.replace(/"/g, "'")}, map_location='cpu', weights_only=True), ${quoted.replace(/"/g, "'")})"`
}

function readHead(file: string, length: number): Uint8Array {
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(length)
    const n = fs.readSync(fd, head, 0, length, 0)
    return head.subarray(0, n)
  } finally {
    fs.closeSync(fd)
  }
}

/** Refuse, with a clear message, every file that is not a zip checkpoint. */
function checkFormat(file: string): void {
  const head = readHead(file, 512)
  if (looksLikeZip(head)) return
  const legacy = (what: string): never => {
    throw new Error(
      `${file}: unsupported legacy PyTorch format (${what}, written by torch.save(..., _use_new_zipfile_serialization=False) or torch < 1.6). ` +
        `Convert it once to the zip format with PyTorch >= 1.13:\n  ${convertCommand(file)}\n(weights_only=True reads it without running code from it.)`,
    )
  }
  if (LEGACY_MAGIC.every((byte, i) => head[i] === byte)) legacy('a pickle stream starting with the legacy magic number')
  if (head.length >= 262 && new TextDecoder().decode(head.subarray(257, 262)) === 'ustar') legacy('a tar archive')
  if (head[0] === 0x80) legacy('a bare pickle stream')
  const text = new TextDecoder().decode(head.subarray(0, 64))
  if (text.startsWith('version https://git-lfs')) {
    throw new Error(`${file} is a Git LFS pointer, not the weights: download the real file (git lfs pull, or the Hugging Face hub).`)
  }
  if (head.length === 0) throw new Error(`${file} is empty: re-download it.`)
  throw new Error(`${file} is not a PyTorch checkpoint (it is neither a zip archive nor a pickle).`)
}

/**
 * Find the state dict in the unpickled top-level object; see the file header. A pickle can make dicts that
 * contain themselves or share sub-dicts (a DAG with exponentially many paths): every dict is examined and
 * walked at most once, so neither loops nor blows up.
 */
function unwrapStateDict(root: unknown): { tensors: Map<string, TensorRef>; path: string[]; skipped: string[] } {
  if (!(root instanceof Map)) throw new Error(`its top-level object is ${Array.isArray(root) ? 'a list or tuple' : typeof root}, not a state dict`)
  const holdsTensors = new Map<Map<unknown, unknown>, boolean>()
  const isTensorDict = (value: unknown): value is Map<unknown, unknown> => {
    if (!(value instanceof Map)) return false
    const known = holdsTensors.get(value)
    if (known !== undefined) return known
    holdsTensors.set(value, false) // while in progress: a cycle back here adds nothing
    let found = false
    for (const v of value.values()) {
      if (v instanceof TensorRef || isTensorDict(v)) {
        found = true
        break
      }
    }
    holdsTensors.set(value, found)
    return found
  }
  const path: string[] = []
  let dict: Map<unknown, unknown> = root
  for (;;) {
    const hasDirectTensors = [...dict.values()].some((v) => v instanceof TensorRef)
    if (hasDirectTensors) break
    const wrapper = WRAPPER_KEYS.find((key) => isTensorDict(dict.get(key)))
    if (!wrapper) break
    path.push(wrapper)
    dict = dict.get(wrapper) as Map<unknown, unknown>
  }
  const tensors = new Map<string, TensorRef>()
  const skipped: string[] = []
  const walked = new Set<Map<unknown, unknown>>()
  const walk = (map: Map<unknown, unknown>, prefix: string): void => {
    walked.add(map)
    for (const [key, value] of map) {
      const name = prefix + String(key)
      if (value instanceof TensorRef) tensors.set(name, value)
      else if (isTensorDict(value) && !walked.has(value)) walk(value, `${name}.`)
      else skipped.push(name)
    }
  }
  walk(dict, '')
  if (tensors.size === 0) {
    const keys = [...root.keys()].map(String).slice(0, 12)
    throw new Error(`it holds no tensors (top-level keys: ${keys.join(', ') || 'none'})`)
  }
  return { tensors, path, skipped }
}

export class PytorchCheckpoint implements TensorSource {
  private readonly zip: ZipArchive
  private readonly prefix: string
  private readonly tensors: Map<string, TensorRef>
  private readonly bigEndian: boolean
  /** Keys under which the state dict was found (e.g. ["state_dict"]); empty for a plain state dict. */
  readonly wrapperPath: string[]
  /** Non-tensor entries that were ignored (e.g. "epoch"). */
  readonly skipped: string[]

  constructor(readonly file: string) {
    checkFormat(file)
    const context = (error: unknown): Error => {
      if (error instanceof RefusedGlobalError) return error
      const message = error instanceof Error ? error.message : String(error)
      return new Error(`${file}: cannot read this PyTorch checkpoint: ${message}`, { cause: error })
    }
    try {
      this.zip = new ZipArchive(file)
    } catch (error) {
      throw context(error)
    }
    // torch.save names every entry "<archive name>/..." (the file's stem, or "archive" since torch 2.x).
    const pickles = [...this.zip.entries.keys()].filter((name) => name === 'data.pkl' || name.endsWith('/data.pkl'))
    const names = [...this.zip.entries.keys()]
    if (pickles.length === 0) {
      const torchScript = names.some((name) => name.endsWith('constants.pkl') || /(^|\/)code\//.test(name))
      throw new Error(
        torchScript
          ? `${file} is a TorchScript archive (torch.jit.save), not a state dict: save model.state_dict() with torch.save instead.`
          : `${file}: a zip archive without data.pkl, so not a torch.save checkpoint (entries: ${names.slice(0, 8).join(', ')}).`,
      )
    }
    pickles.sort((a, b) => a.length - b.length)
    const pickleEntry = pickles[0]!
    this.prefix = pickleEntry.slice(0, pickleEntry.length - 'data.pkl'.length)
    const byteorder = this.zip.entries.has(`${this.prefix}byteorder`) ? this.zip.read(`${this.prefix}byteorder`).toString('latin1').trim() : 'little'
    this.bigEndian = byteorder === 'big'
    const storages = new Map<string, StorageRef>()
    let root: unknown
    try {
      root = unpickle(this.zip.read(pickleEntry), {
        findGlobal: (module, name) => findTorchGlobal(file, module, name),
        persistentLoad: (pid) => storageFromPersistentId(pid, storages),
      })
      const found = unwrapStateDict(root)
      this.tensors = found.tensors
      this.wrapperPath = found.path
      this.skipped = found.skipped
      for (const [name, tensor] of this.tensors) this.check(name, tensor)
    } catch (error) {
      throw context(error instanceof PickleError ? new Error(`its pickle is malformed: ${error.message}`) : error)
    } finally {
      this.zip.close()
    }
  }

  private storageEntry(storage: StorageRef): string {
    return `${this.prefix}data/${storage.key}`
  }

  /** Every view must lie inside its storage: a lying pickle must not make us read other entries' bytes. */
  private check(name: string, tensor: TensorRef): void {
    const entry = this.zip.entries.get(this.storageEntry(tensor.storage))
    if (!entry) throw new Error(`tensor "${name}" points at storage ${tensor.storage.key}, which is not in the archive`)
    const size = bytesPerElement[tensor.dtype]
    const { end } = viewSpan(tensor.offset, tensor.shape, tensor.stride)
    if (end * size > entry.size) {
      throw new Error(`tensor "${name}" (${tensor.dtype} ${JSON.stringify(tensor.shape)}, offset ${tensor.offset}) reaches past its storage of ${entry.size} bytes`)
    }
  }

  names(): string[] {
    return [...this.tensors.keys()]
  }

  has(name: string): boolean {
    return this.tensors.has(name)
  }

  /** Dtype and shape without reading any tensor bytes. */
  info(name: string): { dtype: StoredDType; shape: number[] } {
    const tensor = this.ref(name)
    return { dtype: tensor.dtype, shape: [...tensor.shape] }
  }

  private ref(name: string): TensorRef {
    const tensor = this.tensors.get(name)
    if (!tensor) throw new Error(`Tensor "${name}" is not in ${this.file}.`)
    return tensor
  }

  get(name: string): StoredTensor {
    const tensor = this.ref(name)
    const size = bytesPerElement[tensor.dtype]
    const entry = this.storageEntry(tensor.storage)
    const n = elementCount(tensor.shape)
    let bytes: Uint8Array
    try {
      if (n === 0) bytes = new Uint8Array(0)
      else if (isContiguous(tensor.shape, tensor.stride)) {
        const read = this.zip.read(entry, tensor.offset * size, n * size)
        bytes = new Uint8Array(read.buffer, read.byteOffset, read.byteLength)
      }
      else {
        const { begin, end } = viewSpan(tensor.offset, tensor.shape, tensor.stride)
        const span = this.zip.read(entry, begin * size, (end - begin) * size)
        bytes = gatherStrided(span, begin, size, tensor.offset, tensor.shape, tensor.stride)
      }
    } finally {
      this.zip.close()
    }
    if (this.bigEndian && size > 1) {
      for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse()
    }
    return { dtype: tensor.dtype, shape: [...tensor.shape], bytes }
  }
}
