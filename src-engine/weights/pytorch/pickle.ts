/**
 * A safe pickle virtual machine: enough of Python's pickle (protocols 2-5, the binary opcodes) to read a
 * tensor state dict, and nothing that can run code. It never imports or calls anything itself: every
 * GLOBAL / STACK_GLOBAL is resolved through `findGlobal`, which the caller backs with an allow-list and
 * which throws for anything else, and REDUCE / NEWOBJ / BUILD only apply what that resolver returned.
 * Text-mode (protocol 0/1) opcodes, INST/OBJ and the extension registry are refused: torch.save writes
 * protocol 2 and never uses them.
 *
 * Python values map to JS as: None → null, bool → boolean, int → number (bigint past 2^53), float → number,
 * str → string, bytes → Uint8Array, tuple and list → array, dict → Map.
 */

/** A Python callable that the resolver allows: REDUCE and NEWOBJ call it with the argument tuple. */
export interface PickleCallable {
  readonly kind: 'callable'
  readonly qualifiedName: string
  call(args: unknown[]): unknown
}

/** An object that BUILD may update (Python's __setstate__). */
export interface PickleBuildable {
  setState(state: unknown): void
}

export interface UnpickleHooks {
  /** Resolve `module.name`; must throw for anything not on an allow-list. */
  findGlobal(module: string, name: string): unknown
  /** Resolve a BINPERSID id (torch: ('storage', type, key, location, numel)). */
  persistentLoad(pid: unknown): unknown
}

export class PickleError extends Error {}

function isCallable(value: unknown): value is PickleCallable {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'callable'
}

function isBuildable(value: unknown): value is PickleBuildable {
  return typeof value === 'object' && value !== null && typeof (value as { setState?: unknown }).setState === 'function'
}

/** Two's-complement little-endian integer of any length (LONG1 / LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0
  let value = 0n
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(bytes.length * 8)
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('latin1')

export function unpickle(data: Uint8Array, hooks: UnpickleHooks): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let pos = 0
  let stack: unknown[] = []
  const marks: unknown[][] = []
  const memo = new Map<number, unknown>()

  const fail = (message: string): never => {
    throw new PickleError(`${message} (pickle offset ${pos})`)
  }
  const need = (n: number): void => {
    if (n < 0 || pos + n > data.length) fail(`truncated pickle: needs ${n} more bytes`)
  }
  const u8 = (): number => {
    need(1)
    return data[pos++]!
  }
  const u16 = (): number => {
    need(2)
    const v = view.getUint16(pos, true)
    pos += 2
    return v
  }
  const u32 = (): number => {
    need(4)
    const v = view.getUint32(pos, true)
    pos += 4
    return v
  }
  const i32 = (): number => {
    need(4)
    const v = view.getInt32(pos, true)
    pos += 4
    return v
  }
  const u64 = (): number => {
    need(8)
    const v = view.getBigUint64(pos, true)
    pos += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('a length beyond 2^53')
    return Number(v)
  }
  const bytes = (n: number): Uint8Array => {
    need(n)
    const out = data.subarray(pos, pos + n)
    pos += n
    return out
  }
  const line = (): string => {
    const end = data.indexOf(0x0a, pos)
    if (end < 0) fail('unterminated text line')
    const text = latin1.decode(data.subarray(pos, end))
    pos = end + 1
    return text
  }
  const text = (n: number): string => {
    const raw = bytes(n)
    try {
      return utf8.decode(raw)
    } catch {
      return fail('invalid UTF-8 in a string')
    }
  }
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow')
    return stack.pop()
  }
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow')
    return stack[stack.length - 1]
  }
  const popMark = (): unknown[] => {
    const items = stack
    const previous = marks.pop()
    if (!previous) return fail('no MARK on the stack')
    stack = previous
    return items
  }
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict')
    if (items.length % 2) fail('odd number of items for SETITEMS')
    const map = target as Map<unknown, unknown>
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1])
  }
  const call = (callable: unknown, args: unknown, opcode: string): unknown => {
    if (!isCallable(callable)) fail(`${opcode} on something that is not an allowed callable`)
    if (!Array.isArray(args)) fail(`${opcode} without an argument tuple`)
    return (callable as PickleCallable).call(args as unknown[])
  }

  for (;;) {
    const opcode = u8()
    switch (opcode) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol newer than 5')
        break
      case 0x95: // FRAME (protocol 4): a length hint only
        u64()
        break
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) fail('the pickle ended with a malformed stack')
        return stack[0]
      case 0x28: // MARK
        marks.push(stack)
        stack = []
        break
      case 0x30: // POP
        if (stack.length) stack.pop()
        else popMark()
        break
      case 0x31: // POP_MARK
        popMark()
        break
      case 0x32: // DUP
        stack.push(top())
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88: // NEWTRUE
        stack.push(true)
        break
      case 0x89: // NEWFALSE
        stack.push(false)
        break
      case 0x4a: // BININT
        stack.push(i32())
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x8a: // LONG1
        stack.push(decodeLong(bytes(u8())))
        break
      case 0x8b: // LONG4
        stack.push(decodeLong(bytes(u32())))
        break
      case 0x47: {
        // BINFLOAT: big-endian double
        need(8)
        stack.push(view.getFloat64(pos, false))
        pos += 8
        break
      }
      case 0x58: // BINUNICODE
        stack.push(text(u32()))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()))
        break
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()))
        break
      case 0x54: // BINSTRING (Python 2 str): read as latin-1 text
        stack.push(latin1.decode(bytes(i32())))
        break
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(bytes(u8())))
        break
      case 0x42: // BINBYTES
        stack.push(new Uint8Array(bytes(u32())))
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(new Uint8Array(bytes(u8())))
        break
      case 0x8e: // BINBYTES8
        stack.push(new Uint8Array(bytes(u64())))
        break
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(bytes(u64())))
        break
      case 0x29: // EMPTY_TUPLE
        stack.push([])
        break
      case 0x74: {
        // TUPLE (popMark first: it replaces `stack`, so `stack.push(popMark())` would push onto the old one)
        const items = popMark()
        stack.push(items)
        break
      }
      case 0x85: // TUPLE1
        stack.push([pop()])
        break
      case 0x86: {
        // TUPLE2
        const b = pop()
        stack.push([pop(), b])
        break
      }
      case 0x87: {
        // TUPLE3
        const c = pop()
        const b = pop()
        stack.push([pop(), b, c])
        break
      }
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x6c: {
        // LIST
        const items = popMark()
        stack.push(items)
        break
      }
      case 0x61: {
        // APPEND
        const item = pop()
        const list = top()
        if (!Array.isArray(list)) fail('APPEND to something that is not a list')
        ;(list as unknown[]).push(item)
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        const list = top()
        if (!Array.isArray(list)) fail('APPENDS to something that is not a list')
        ;(list as unknown[]).push(...items)
        break
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map())
        break
      case 0x64: {
        // DICT
        const map = new Map()
        setItems(map, popMark())
        stack.push(map)
        break
      }
      case 0x73: {
        // SETITEM
        const value = pop()
        const key = pop()
        setItems(top(), [key, value])
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(top(), items)
        break
      }
      case 0x8f: // EMPTY_SET: state dicts never hold sets, but they are inert data
        stack.push(new Set())
        break
      case 0x90: {
        // ADDITEMS
        const items = popMark()
        const set = top()
        if (!(set instanceof Set)) fail('ADDITEMS to something that is not a set')
        for (const item of items) (set as Set<unknown>).add(item)
        break
      }
      case 0x91: {
        // FROZENSET
        const items = popMark()
        stack.push(new Set(items))
        break
      }
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = opcode === 0x68 ? u8() : u32()
        if (!memo.has(index)) fail(`memo entry ${index} is missing`)
        stack.push(memo.get(index))
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), top())
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top())
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, top())
        break
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line()
        const name = line()
        stack.push(hooks.findGlobal(module, name))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop()
        const module = pop()
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL with non-string names')
        stack.push(hooks.findGlobal(module as string, name as string))
        break
      }
      case 0x52: {
        // REDUCE
        const args = pop()
        const callable = pop()
        stack.push(call(callable, args, 'REDUCE'))
        break
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop()
        const cls = pop()
        stack.push(call(cls, args, 'NEWOBJ'))
        break
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop()
        const args = pop()
        const cls = pop()
        if (!(kwargs instanceof Map) || kwargs.size) fail('NEWOBJ_EX with keyword arguments')
        stack.push(call(cls, args, 'NEWOBJ_EX'))
        break
      }
      case 0x62: {
        // BUILD: obj.__setstate__(state)
        const state = pop()
        const target = top()
        if (isBuildable(target)) target.setState(state)
        // OrderedDict's state is its instance __dict__ (state_dict()'s `_metadata` versions): inert, dropped.
        else if (!(target instanceof Map)) fail('BUILD on an object that takes no state')
        break
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()))
        break
      default: {
        const names: Record<number, string> = {
          0x69: 'INST',
          0x6f: 'OBJ',
          0x82: 'EXT1',
          0x83: 'EXT2',
          0x84: 'EXT4',
          0x50: 'PERSID',
          0x97: 'NEXT_BUFFER',
          0x98: 'READONLY_BUFFER',
        }
        const known = names[opcode]
        pos -= 1
        fail(
          known
            ? `opcode ${known} is not allowed in a weights file`
            : `unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')} (torch.save writes binary protocol 2; text-mode pickles are not read)`,
        )
      }
    }
  }
}
