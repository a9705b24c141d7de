/** logging: how steps are counted in the charts; every logged step goes to the history database. */
import { choice } from '../field'

export const loggingFields = {
  log_step_size: choice(['absolute', 'relative'], 'absolute', { origin: '+' }),
}
