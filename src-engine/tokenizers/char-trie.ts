/**
 * A trie over UTF-16 code units in flat typed arrays (children found by open-addressing hash on
 * (node, code unit)): the common-prefix search of the Unigram models without a Map lookup per step.
 */
export class CharTrie {
  /** Vocabulary id ending at each node, or -1. */
  private ids: Int32Array
  private nodeCount = 1
  private keyNode: Int32Array
  private keyChar: Int32Array
  private child: Int32Array
  private mask: number

  constructor(expectedNodes = 1024) {
    this.ids = new Int32Array(expectedNodes).fill(-1)
    let capacity = 1024
    while (capacity < expectedNodes * 2) capacity *= 2
    this.keyNode = new Int32Array(capacity).fill(-1)
    this.keyChar = new Int32Array(capacity)
    this.child = new Int32Array(capacity)
    this.mask = capacity - 1
  }

  /** Adds `key` with `id`; keeps the first id when a key repeats. */
  insert(key: string, id: number): void {
    let node = 0
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i)
      let next = this.childOf(node, c)
      if (next < 0) {
        next = this.nodeCount++
        if (next >= this.ids.length) {
          const ids = new Int32Array(this.ids.length * 2).fill(-1)
          ids.set(this.ids)
          this.ids = ids
        }
        this.setChild(node, c, next)
      }
      node = next
    }
    if (this.ids[node] === -1) this.ids[node] = id
  }

  /** The child of `node` along code unit `c`, or -1. */
  childOf(node: number, c: number): number {
    let i = (Math.imul(node, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77)) & this.mask
    for (;;) {
      const k = this.keyNode[i]!
      if (k === -1) return -1
      if (k === node && this.keyChar[i] === c) return this.child[i]!
      i = (i + 1) & this.mask
    }
  }

  /** The vocabulary id at `node`, or -1. */
  idAt(node: number): number {
    return this.ids[node]!
  }

  private setChild(node: number, c: number, next: number) {
    if ((this.nodeCount + 1) * 2 > this.mask) this.grow()
    let i = (Math.imul(node, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77)) & this.mask
    while (this.keyNode[i] !== -1) i = (i + 1) & this.mask
    this.keyNode[i] = node
    this.keyChar[i] = c
    this.child[i] = next
  }

  private grow() {
    const { keyNode, keyChar, child } = this
    const capacity = (this.mask + 1) * 2
    this.keyNode = new Int32Array(capacity).fill(-1)
    this.keyChar = new Int32Array(capacity)
    this.child = new Int32Array(capacity)
    this.mask = capacity - 1
    for (let k = 0; k < keyNode.length; k++) {
      if (keyNode[k] === -1) continue
      let i = (Math.imul(keyNode[k]!, 0x9e3779b1) ^ Math.imul(keyChar[k]!, 0x85ebca77)) & this.mask
      while (this.keyNode[i] !== -1) i = (i + 1) & this.mask
      this.keyNode[i] = keyNode[k]!
      this.keyChar[i] = keyChar[k]!
      this.child[i] = child[k]!
    }
  }
}
