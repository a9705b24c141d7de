/**
 * The allow-list: the only Python globals a PyTorch state dict may name, and what each one means here.
 * Nothing is imported or executed; each allowed name maps to a small pure function that builds a
 * description (StorageRef, TensorRef, Map). Every other global is refused by `refusal`, with the name.
 *
 * What torch.save writes for a tensor (torch/_tensor.py __reduce_ex__ → torch/_utils.py):
 *   _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
 *   storage = persistent id ('storage', torch.<Type>Storage, key, location, numel) → zip entry data/<key>
 *   Parameters wrap that in _rebuild_parameter(data, requires_grad, backward_hooks).
 */
import type { StoredDType } from '../stored-tensor'
import type { PickleCallable } from './pickle'

export class StorageType {
  constructor(
    readonly name: string,
    readonly dtype: StoredDType,
  ) {}
}

export class TorchDType {
  constructor(
    readonly name: string,
    readonly dtype: StoredDType,
  ) {}
}

/** One storage of the archive: the bytes of zip entry data/<key>, typed. Shared by every view of it. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StoredDType,
    readonly numel: number,
  ) {}
}

/** A tensor as described by the pickle: a strided view into a storage (no bytes read yet). */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: StoredDType,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

const storageTypes: Record<string, StoredDType> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
}

const torchDTypes: Record<string, StoredDType> = {
  float64: 'F64',
  double: 'F64',
  float32: 'F32',
  float: 'F32',
  float16: 'F16',
  half: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  long: 'I64',
  int32: 'I32',
  int: 'I32',
  int16: 'I16',
  short: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
}

/** Tensor kinds torch can pickle that a dense weights file does not contain and we do not read. */
const knownUnsupported: Record<string, string> = {
  'torch._utils._rebuild_sparse_tensor': 'a sparse tensor',
  'torch._utils._rebuild_sparse_csr_tensor': 'a sparse CSR tensor',
  'torch._utils._rebuild_qtensor': 'a quantized tensor',
  'torch._utils._rebuild_meta_tensor_no_storage': 'a meta tensor without data',
  'torch._utils._rebuild_device_tensor_from_numpy': 'a device tensor stored as numpy',
  'torch._utils._rebuild_wrapper_subclass': 'a tensor subclass',
  'torch._utils._rebuild_nested_tensor': 'a nested tensor',
  'torch._tensor._rebuild_from_type_v2': 'a tensor subclass',
  'torch._tensor._rebuild_from_type': 'a tensor subclass',
}

export class RefusedGlobalError extends Error {}

function callable(qualifiedName: string, call: (args: unknown[]) => unknown): PickleCallable {
  return { kind: 'callable', qualifiedName, call }
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`${what} is not a non-negative integer: ${String(value)}`)
  return value
}

function integers(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a tuple`)
  return value.map((v, i) => integer(v, `${what}[${i}]`))
}

function rebuildTensor(name: string, args: unknown[], dtypeOverride?: unknown): TensorRef {
  const [storage, offset, size, stride] = args
  if (!(storage instanceof StorageRef)) throw new Error(`${name}: its first argument is not a storage`)
  const shape = integers(size, `${name} size`)
  const strides = integers(stride, `${name} stride`)
  if (shape.length !== strides.length) throw new Error(`${name}: size ${JSON.stringify(shape)} and stride ${JSON.stringify(strides)} differ in length`)
  let dtype = storage.dtype
  if (dtypeOverride !== undefined) {
    if (!(dtypeOverride instanceof TorchDType)) throw new Error(`${name}: its dtype argument is not a torch dtype`)
    dtype = dtypeOverride.dtype
  }
  return new TensorRef(storage, dtype, integer(offset, `${name} storage_offset`), shape, strides)
}

function orderedDict(args: unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>()
  const items = args[0]
  if (Array.isArray(items)) {
    for (const item of items) {
      if (!Array.isArray(item) || item.length !== 2) throw new Error('OrderedDict(items) with an item that is not a pair')
      map.set(item[0], item[1])
    }
  }
  return map
}

function unwrapTensor(name: string, value: unknown): TensorRef {
  if (!(value instanceof TensorRef)) throw new Error(`${name}: its data is not a tensor`)
  return value
}

const allowed = new Map<string, unknown>([
  ['collections.OrderedDict', callable('collections.OrderedDict', orderedDict)],
  ['torch._utils._rebuild_tensor', callable('torch._utils._rebuild_tensor', (args) => rebuildTensor('_rebuild_tensor', args))],
  ['torch._utils._rebuild_tensor_v2', callable('torch._utils._rebuild_tensor_v2', (args) => rebuildTensor('_rebuild_tensor_v2', args))],
  // v3 (newer torch, for dtypes without a typed storage class): the dtype is argument 6.
  ['torch._utils._rebuild_tensor_v3', callable('torch._utils._rebuild_tensor_v3', (args) => rebuildTensor('_rebuild_tensor_v3', args, args[6]))],
  ['torch._utils._rebuild_parameter', callable('torch._utils._rebuild_parameter', (args) => unwrapTensor('_rebuild_parameter', args[0]))],
  [
    'torch._utils._rebuild_parameter_with_state',
    callable('torch._utils._rebuild_parameter_with_state', (args) => unwrapTensor('_rebuild_parameter_with_state', args[0])),
  ],
  ['torch.Size', callable('torch.Size', (args) => integers(args[0] ?? [], 'torch.Size'))],
  // Python 3 pickles bytes at protocol 2 as _codecs.encode(text, 'latin1'): pure data, no side effect.
  [
    '_codecs.encode',
    callable('_codecs.encode', ([text, encoding]) => {
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new Error('_codecs.encode other than (str, "latin1")')
      return Uint8Array.from(text, (c) => c.charCodeAt(0))
    }),
  ],
  ...Object.entries(storageTypes).map(([name, dtype]) => [`torch.${name}`, new StorageType(name, dtype)] as const),
  ...Object.entries(torchDTypes).map(([name, dtype]) => [`torch.${name}`, new TorchDType(name, dtype)] as const),
])

/** The message for a refused global; `file` is the checkpoint being read. */
export function refusal(file: string, qualifiedName: string): string {
  const kind = knownUnsupported[qualifiedName]
  if (kind) return `${file}: cannot load: it contains ${kind} (${qualifiedName}); only dense tensors are read. Re-save the weights as a plain state dict of dense tensors.`
  return (
    `${file}: refused to load: it calls ${qualifiedName}, which a weights file never needs. A pickle can run any code it names, ` +
    `so this file may be malicious (or it is a full training checkpoint rather than a state dict). Nothing in it was executed. ` +
    `Use a safetensors version of the model, or one from a source you trust.`
  )
}

export function findTorchGlobal(file: string, module: string, name: string): unknown {
  const qualifiedName = `${module}.${name}`
  const value = allowed.get(qualifiedName)
  if (value === undefined) throw new RefusedGlobalError(refusal(file, qualifiedName))
  return value
}

/** persistent_load for torch's zip format: ('storage', storage_type, key, location, numel). */
export function storageFromPersistentId(pid: unknown, storages: Map<string, StorageRef>): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new Error(`unexpected persistent id ${JSON.stringify(pid)}`)
  const [, type, key, , numel] = pid as unknown[]
  if (!(type instanceof StorageType)) throw new Error('a persistent id names something that is not a torch storage type')
  if (typeof key !== 'string') throw new Error('a storage key is not a string')
  let storage = storages.get(key)
  if (!storage) {
    storage = new StorageRef(key, type.dtype, integer(numel, `storage ${key} numel`))
    storages.set(key, storage)
  }
  return storage
}
