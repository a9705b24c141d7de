/** Data files for training and for the dataset page: read, guess columns, check rows, measure token lengths. */
export { checkRows, defaultMaxRowChars } from './checks'
export { columnKinds, defaultPromptSeparator, guessColumns, isMessageList, rowTexts } from './columns'
export { DataFileError, formatDataError, type DataErrorCode, type DataErrorDetails } from './errors'
export { dataExtensions, dataFormatOf, parseDataBytes, readDataFile } from './read'
export type { DataFormat, DataRow, DataTable } from './table'
export { createLengthCounter, histogram, tokenLengths, type LengthLimits, type LengthOptions } from './token-lengths'
