/**
 * Errors a user can act on cross the API as BAD_REQUEST with their message and a `data` payload
 * ({ code, ...details }) that the renderer turns into a message in the user's language. Anything else
 * stays an internal error (oRPC hides its message), so no stack or path leaks by accident.
 */
import { ORPCError } from '@orpc/server'
import { DataFileError } from '../../src-engine/data'
import { UserError } from '../../src-shared/user-error'

export { UserError }

export function toApiError(error: unknown): unknown {
  if (error instanceof DataFileError) {
    return new ORPCError('BAD_REQUEST', { message: error.message, data: { ...error.details }, cause: error })
  }
  if (error instanceof UserError) {
    return new ORPCError('BAD_REQUEST', { message: error.message, data: { code: error.code, ...error.params }, cause: error })
  }
  // Our own checks throw plain Errors whose messages are written for the user ("Stop it first, then
  // delete it."). Bugs surface as TypeError, RangeError, … and stay internal.
  if (error instanceof Error && error.constructor === Error) {
    return new ORPCError('BAD_REQUEST', { message: error.message, cause: error })
  }
  return error
}

/** The same for a stream: an error while iterating reaches the client with its message. */
export async function* guardStream<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream
  } catch (error) {
    throw toApiError(error)
  }
}

/** Run a handler body, turning user-facing errors into API errors. */
export async function guard<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw toApiError(error)
  }
}
