/** Dynamic import of a package that may be absent (an optional dependency), without the bundler inlining it. */
export async function importOptional(specifier: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ specifier)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`the optional package ${specifier} is not installed`, { cause: error })
    }
    // A package that is there but whose native library does not load (e.g. tfjs-node without libtensorflow).
    const text = error instanceof Error ? error.message : String(error)
    throw new Error(`${specifier} is installed but does not load: ${text.split('\n')[0]?.slice(0, 300) ?? text}`, { cause: error })
  }
}
