/** The `finetune-studio` bin as a user runs it. */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../helpers/cli'

describe('finetune-studio CLI', () => {
  it('lists its commands with --help and with no command', () => {
    for (const args of [['--help'], []]) {
      const result = runCli(args)
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/Usage: finetune-studio <command>/)
      expect(result.stdout).toMatch(/^\s+serve\s+run the app in a browser/m)
    }
  })

  it('prints its version', () => {
    const result = runCli(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('says what is wrong with an unknown command or a bad option, with exit code 2', () => {
    const unknown = runCli(['trian'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown command "trian"/)
    const badPort = runCli(['serve', '--port', 'eighty'])
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toMatch(/--port must be a whole number from 0 to 65535, got "eighty"/)
    const unknownOption = runCli(['serve', '--colour'])
    expect(unknownOption.code).toBe(2)
    expect(unknownOption.stderr).toMatch(/Unknown option '--colour'/)
  })
})
